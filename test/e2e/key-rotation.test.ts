import { generateLocalKey, localKeyId } from '../../src/tokens/paserk';
import { startGatehouse, type GatehouseProcess } from '../helpers/gatehouse-process';
import { cleanUpPrefix, redisUrl, uniquePrefix } from '../helpers/redis';

/**
 * The README's key rotation procedure, end to end with real gatehouse processes sharing one
 * Redis (so users and sessions survive the restarts): key A → add B first ("B,A") → drop A.
 */
describe('token key rotation across restarts (redis store)', () => {
  const [keyA, keyB] = [generateLocalKey(), generateLocalKey()];
  const prefix = uniquePrefix('rotation');
  let gatehouse: GatehouseProcess | undefined;
  afterEach(async () => {
    await gatehouse?.stop();
    gatehouse = undefined;
  });
  afterAll(async () => {
    await cleanUpPrefix(prefix);
  });

  const start = async (keys: string) => {
    gatehouse = await startGatehouse({ STORE: 'redis', REDIS_URL: redisUrl, REDIS_PREFIX: prefix, TOKEN_KEYS: keys });
    return gatehouse.url;
  };
  const login = async (url: string) => {
    const res = await fetch(`${url}/login/`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from('rotor:rotation password').toString('base64')}` },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { data: { auth_token: string } }).data.auth_token;
  };
  const verify = async (url: string, token: string) => fetch(`${url}/auth/verify`, { headers: { Authorization: `Bearer ${token}` } });
  const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[3]!, 'base64url').toString()).kid as string;

  test('old tokens verify by kid while both keys are listed, new tokens use the new key, dropped keys are refused', async () => {
    // 1. Running with key A.
    let url = await start(keyA);
    const register = await fetch(`${url}/register/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'rotor', password: 'rotation password' }),
    });
    expect(register.status).toBe(201);
    const oldToken = await login(url);
    expect(kidOf(oldToken)).toBe(localKeyId(keyA));
    await gatehouse!.stop();

    // 2. Add the new key first: TOKEN_KEYS=B,A.
    url = await start(`${keyB},${keyA}`);
    const oldStill = await verify(url, oldToken);
    expect(oldStill.status).toBe(200);
    expect(oldStill.headers.get('x-auth-request-user')).toBe('rotor');
    const newToken = await login(url);
    expect(kidOf(newToken)).toBe(localKeyId(keyB));
    expect((await verify(url, newToken)).status).toBe(200);
    await gatehouse!.stop();

    // 3. After the longest TOKEN_TTL, drop the old key: TOKEN_KEYS=B.
    url = await start(keyB);
    const refused = await verify(url, oldToken);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect((await verify(url, newToken)).status).toBe(200);
  });
});
