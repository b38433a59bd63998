import { createTestApp, registerAndLogin, storeKinds, type TestApp } from '../helpers/app';
import { Keyring } from '../../src/tokens/keyring';
import { generateLocalKey } from '../../src/tokens/paserk';
import { createTokenService } from '../../src/tokens/token-service';

const MISSING = 'Bearer realm="gatehouse"';
const INVALID = /^Bearer realm="gatehouse", error="invalid_token"/;

describe.each(storeKinds)('GET /dashboard/ and GET|POST /logout/ (%s store)', (kind) => {
  let t: TestApp;
  let token: string;
  beforeEach(async () => {
    t = await createTestApp(kind);
    token = await registerAndLogin(t);
  });
  afterEach(() => t.close());

  const bearer = (value: string) => `Bearer ${value}`;

  test('dashboard with a valid token: 200 with the user info', async () => {
    const res = await t.request().get('/dashboard/').set('Authorization', bearer(token));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      msg: 'successfully requested user info',
      data: { username: 'alice', first_name: 'Alice', last_name: 'Liddell' },
    });
  });

  test('the scheme name is case-insensitive and the path works without the trailing slash', async () => {
    await t.request().get('/dashboard').set('Authorization', `bearer ${token}`).expect(200);
  });

  test('names that were not given are null', async () => {
    const other = await registerAndLogin(t, 'bob', 'correct horse battery', {});
    const res = await t.request().get('/dashboard/').set('Authorization', bearer(other));
    expect(res.body.data).toEqual({ username: 'bob', first_name: null, last_name: null });
  });

  test('no token: 401 with a bare Bearer challenge (RFC 6750 §3.1)', async () => {
    for (const req of [t.request().get('/dashboard/'), t.request().get('/dashboard/').set('Authorization', 'Basic YTpi')]) {
      const res = await req;
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(MISSING);
      expect(res.body).toEqual({ msg: 'a bearer token is required', data: null, error: 'missing_token' });
    }
  });

  test.each([
    ['garbage', 'not-a-token'],
    ['a token with a space', 'v3.local.abc def'],
    ['a truncated token', 'TRUNCATE'],
    ['a tampered token', 'TAMPER'],
  ])('%s: 401 with error="invalid_token"', async (_, value) => {
    let sent = value;
    if (value === 'TRUNCATE') sent = token.slice(0, -5);
    if (value === 'TAMPER') {
      // Change one character in the middle of the encrypted payload.
      const i = 'v3.local.'.length + 30;
      sent = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
    }
    const res = await t.request().get('/dashboard/').set('Authorization', bearer(sent));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(INVALID);
    expect(res.body).toMatchObject({ data: null, error: 'invalid_token' });
  });

  test('an expired token: 401 invalid_token, although its session record may still exist', async () => {
    t.clock.advance(3601);
    const res = await t.request().get('/dashboard/').set('Authorization', bearer(token));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(INVALID);
  });

  test('a token signed with a key we do not hold: 401 invalid_token', async () => {
    const foreign = createTokenService({ keyring: new Keyring([generateLocalKey()]), ttl: 3600, issuer: 'gatehouse' });
    const { token: forged } = await foreign.issue('alice', new Date(t.clock.now));
    const res = await t.request().get('/dashboard/').set('Authorization', bearer(forged));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(INVALID);
  });

  test('a valid token for a session the store does not hold: 401 invalid_token', async () => {
    const { token: orphan } = await t.deps.tokens.issue('alice', new Date(t.clock.now));
    await t.request().get('/dashboard/').set('Authorization', bearer(orphan)).expect(401);
  });

  test('GET /logout/ (the tutorial) ends the session; the token then gets 401 on every route', async () => {
    const res = await t.request().get('/logout/').set('Authorization', bearer(token));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ msg: 'successfully invalidated token', data: null });
    expect(await t.store.listSessions('alice', t.clock.now)).toEqual([]);
    for (const req of [
      t.request().get('/dashboard/'),
      t.request().get('/logout/'),
      t.request().post('/logout/'),
    ]) {
      const after = await req.set('Authorization', bearer(token));
      expect(after.status).toBe(401);
      expect(after.headers['www-authenticate']).toMatch(INVALID);
    }
  });

  test('POST /logout/ ends only the presented session', async () => {
    const second = (await t.request().post('/login/').set('Authorization', `Basic ${Buffer.from('alice:correct horse battery').toString('base64')}`)).body
      .data.auth_token as string;
    await t.request().post('/logout').set('Authorization', bearer(token)).expect(200);
    await t.request().get('/dashboard/').set('Authorization', bearer(token)).expect(401);
    await t.request().get('/dashboard/').set('Authorization', bearer(second)).expect(200);
    expect(await t.store.listSessions('alice', t.clock.now)).toHaveLength(1);
  });

  test('logout without a token: 401 and nothing is revoked', async () => {
    const res = await t.request().get('/logout/');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(MISSING);
    expect(await t.store.listSessions('alice', t.clock.now)).toHaveLength(1);
  });

  test('raw tokens never appear in logs or error bodies', async () => {
    const res = await t.request().get('/dashboard/').set('Authorization', bearer(`${token}x`));
    expect(JSON.stringify(res.body)).not.toContain(token);
    expect(t.logs.join('')).not.toContain(token);
  });
});
