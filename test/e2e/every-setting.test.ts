import type { Redis } from 'ioredis';
import { RedisStore } from '../../src/store/redis-store';
import { Keyring } from '../../src/tokens/keyring';
import { generateLocalKey, localKeyId } from '../../src/tokens/paserk';
import { createTokenService } from '../../src/tokens/token-service';
import { launchers, startGatehouse, type GatehouseProcess } from '../helpers/gatehouse-process';
import { freePort } from '../helpers/redis-server';
import { deleteKeysUnder, keysUnder, redisUrl, testRedisClient, uniquePrefix } from '../helpers/redis';

/**
 * Every setting of the core, set at once through the environment, against each way gatehouse
 * ships; each one is checked by what it changes on the wire or in Redis.
 */
describe.each(launchers())('every setting, gatehouse run as %s', (_, command) => {
  const prefix = uniquePrefix('settings');
  const [first, second] = [generateLocalKey(), generateLocalKey()];
  let gatehouse: GatehouseProcess;
  let redis: Redis;

  beforeAll(async () => {
    redis = await testRedisClient();
    const port = await freePort();
    gatehouse = await startGatehouse(
      {
        PORT: String(port),
        HOST: '127.0.0.1',
        STORE: 'redis',
        REDIS_URL: redisUrl,
        REDIS_PREFIX: prefix,
        TOKEN_KEYS: `${first},${second}`,
        TOKEN_TTL: '120',
        TOKEN_ISSUER: 'https://auth.example.test',
        MAX_SESSIONS_PER_USER: '1',
        ARGON2_MEMORY_KIB: '8192',
        ARGON2_ITERATIONS: '1',
        ARGON2_PARALLELISM: '2',
        BODY_LIMIT: '2048',
        TRUST_PROXY: 'true',
        LOG_LEVEL: 'warn',
      },
      command,
      [],
      { url: `http://127.0.0.1:${port}` },
    );
  });
  afterAll(async () => {
    await gatehouse?.stop();
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  const basic = `Basic ${Buffer.from('settings:a settings password').toString('base64')}`;
  /** Every token issued in this suite. */
  const issued: string[] = [];
  const login = async () => {
    const response = await fetch(`${gatehouse.url}/login/`, {
      method: 'POST',
      headers: { Authorization: basic, 'X-Forwarded-For': '203.0.113.7' },
    });
    const body = (await response.clone().json()) as { data?: { auth_token?: string } };
    if (body.data?.auth_token !== undefined) issued.push(body.data.auth_token);
    return response;
  };

  test('HOST, PORT and LOG_LEVEL=warn: answers there and logs warnings but no info lines', async () => {
    const response = await fetch(`${gatehouse.url}/readyz`);
    expect(response.status).toBe(200);
    await fetch(`${gatehouse.url}/login/`, { method: 'POST' });
    expect(gatehouse.output()).not.toContain('"level":30');
  });

  test('BODY_LIMIT: a body over 2048 bytes is a 413', async () => {
    const response = await fetch(`${gatehouse.url}/register/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'big', password: 'x'.repeat(3000) }),
    });
    expect(response.status).toBe(413);
    expect((await response.json()) as object).toMatchObject({ error: 'payload_too_large' });
  });

  test('STORE, REDIS_URL, REDIS_PREFIX and ARGON2_*: the user lands under the prefix with m=8192,t=1,p=2', async () => {
    const register = await fetch(`${gatehouse.url}/register/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'settings', password: 'a settings password' }),
    });
    expect(register.status).toBe(201);
    expect(await keysUnder(redis, prefix)).toEqual([`${prefix}{settings}:user`]);
    const user = await new RedisStore(redis, prefix).findUser('settings');
    expect(user?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=8192,t=1,p=2\$/);
  });

  test('TOKEN_KEYS, TOKEN_TTL, TOKEN_ISSUER: the first key encrypts a 120 s token of that issuer', async () => {
    const response = await login();
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: { auth_token: string; expires_in: number } };
    expect(data.expires_in).toBe(120);
    const footer = JSON.parse(Buffer.from(data.auth_token.split('.')[3]!, 'base64url').toString()) as { kid: string };
    expect(footer.kid).toBe(localKeyId(first));
    const claims = await createTokenService({
      keyring: new Keyring([first]),
      ttl: 120,
      issuer: 'https://auth.example.test',
    }).verify(data.auth_token, new Date());
    expect(claims.exp - claims.iat).toBe(120);
    expect(claims.sub).toBe('settings');
  });

  test('MAX_SESSIONS_PER_USER=1 and TRUST_PROXY: of all the logins one session lives; the address is the forwarded one', async () => {
    expect((await login()).status).toBe(200);
    expect((await login()).status).toBe(200);
    const dashboard = (token: string) =>
      fetch(`${gatehouse.url}/dashboard/`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.status);
    // Which one survives is the store's rule (closest to expiry ends; these expire in the same second).
    const statuses = await Promise.all(issued.map(dashboard));
    expect(issued.length).toBeGreaterThanOrEqual(3);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    const sessions = await new RedisStore(redis, prefix).listSessions('settings', Date.now());
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.address).toBe('203.0.113.7');
  });
});
