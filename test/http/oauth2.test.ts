import { createTestApp, basic, login, registerAndLogin, storeKinds, type TestApp } from '../helpers/app';
import { Keyring } from '../../src/tokens/keyring';
import { generateLocalKey } from '../../src/tokens/paserk';
import { createTokenService } from '../../src/tokens/token-service';

const SECRET = 'billing-secret-0123456789abcdef';
const OTHER_SECRET = 'audit.secret_with~all-chars.0123';
const CLIENTS = `billing:${SECRET},audit:${OTHER_SECRET}`;
const BASIC_CHALLENGE = 'Basic realm="gatehouse", charset="UTF-8"';
const billing = basic('billing', SECRET);

describe.each(storeKinds)('RFC 7662 introspection and RFC 7009 revocation (%s store)', (kind) => {
  let t: TestApp;
  let token: string;
  beforeEach(async () => {
    t = await createTestApp(kind, { INTROSPECTION_CLIENTS: CLIENTS });
    token = await registerAndLogin(t);
  });
  afterEach(() => t.close());

  const introspect = (value: string | undefined, auth = billing) => {
    const req = t.request().post('/oauth2/introspect').set('Authorization', auth).type('form');
    return value === undefined ? req.send('') : req.send({ token: value });
  };
  const revoke = (value: string, auth = billing) =>
    t.request().post('/oauth2/revoke').set('Authorization', auth).type('form').send({ token: value });

  describe('POST /oauth2/introspect', () => {
    test('a live token: active with its claims, in the RFC shape (no envelope)', async () => {
      const claims = await t.deps.tokens.verify(token, new Date(t.clock.now));
      const res = await introspect(token);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        active: true,
        sub: 'alice',
        username: 'alice',
        exp: claims.exp,
        iat: claims.iat,
        jti: claims.jti,
        token_type: 'Bearer',
      });
      expect(claims.exp - claims.iat).toBe(3600);
    });

    test('the token may also come as JSON or multipart, and token_type_hint is ignored', async () => {
      const json = await t.request().post('/oauth2/introspect').set('Authorization', billing).send({ token, token_type_hint: 'refresh_token' });
      expect(json.body.active).toBe(true);
      const multipart = await t.request().post('/oauth2/introspect').set('Authorization', billing).field('token', token);
      expect(multipart.body.active).toBe(true);
    });

    test.each([
      ['garbage', () => 'not-a-token'],
      ['a truncated token', (v: string) => v.slice(0, -3)],
      ['a token under an unknown key', () => 'FOREIGN'],
    ])('%s: just {"active": false}', async (_, make) => {
      let value = make(token);
      if (value === 'FOREIGN') {
        const foreign = createTokenService({ keyring: new Keyring([generateLocalKey()]), ttl: 3600, issuer: 'gatehouse' });
        value = (await foreign.issue('alice', new Date(t.clock.now))).token;
      }
      const res = await introspect(value);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ active: false });
    });

    test('an expired token: inactive', async () => {
      t.clock.advance(3601);
      expect((await introspect(token)).body).toEqual({ active: false });
    });

    test('a logged-out token: inactive', async () => {
      await t.request().post('/logout/').set('Authorization', `Bearer ${token}`).expect(200);
      expect((await introspect(token)).body).toEqual({ active: false });
    });

    test('a token of a deleted user: inactive, also after the name is registered again', async () => {
      await t.request().delete('/account/').set('Authorization', `Bearer ${token}`).send({ password: 'correct horse battery' }).expect(200);
      expect((await introspect(token)).body).toEqual({ active: false });
      await registerAndLogin(t);
      expect((await introspect(token)).body).toEqual({ active: false });
    });

    test('a missing or empty token parameter: 400 invalid_request', async () => {
      for (const res of [await introspect(undefined), await introspect('')]) {
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ msg: 'token is a required field', data: null, error: 'invalid_request' });
      }
    });

    test('every configured client may call it', async () => {
      expect((await introspect(token, basic('audit', OTHER_SECRET))).body.active).toBe(true);
    });

    test('an id and secret form-urlencoded before Basic (RFC 6749 §2.3.1) are decoded', async () => {
      const encoded = basic('audit', encodeURIComponent(OTHER_SECRET).replace(/\./g, '%2E'));
      expect((await introspect(token, encoded)).body.active).toBe(true);
    });

    test.each([
      ['no credentials', undefined, 'client authentication with HTTP Basic is required'],
      ['a wrong secret', basic('billing', `${SECRET}x`), 'client authentication failed'],
      ['a secret of the same length', basic('billing', SECRET.replace(/.$/, 'g')), 'client authentication failed'],
      ['another client\'s secret', basic('billing', OTHER_SECRET), 'client authentication failed'],
      ['an unknown client', basic('nobody', SECRET), 'client authentication failed'],
      ['an empty secret', basic('billing', ''), 'client authentication failed'],
      ['a malformed escape', basic('billing', '%zz'), 'client authentication failed'],
      ['a bearer token instead', 'Bearer TOKEN', 'the Authorization header must be "Basic " followed by base64 of username:password'],
      ['malformed Basic', 'Basic !!!', 'the Authorization header must be "Basic " followed by base64 of username:password'],
    ])('%s: 401 invalid_client with a Basic challenge, and nothing about the token', async (_, auth, msg) => {
      const req = t.request().post('/oauth2/introspect').type('form');
      if (auth !== undefined) req.set('Authorization', auth === 'Bearer TOKEN' ? `Bearer ${token}` : auth);
      const res = await req.send({ token });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(BASIC_CHALLENGE);
      expect(res.body).toEqual({ msg, data: null, error: 'invalid_client' });
    });

    test('client secrets never reach the logs', async () => {
      await introspect(token, basic('billing', `${SECRET}-wrong`));
      await introspect(token);
      const logs = t.logs.join('');
      expect(logs).toContain('client_auth_failed');
      expect(logs).not.toContain(SECRET);
    });
  });

  describe('POST /oauth2/revoke', () => {
    test('revokes the token: 200, then it is inactive and refused everywhere', async () => {
      const other = await login(t);
      const res = await revoke(token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ msg: 'successfully invalidated token', data: null });
      expect((await introspect(token)).body).toEqual({ active: false });
      await t.request().get('/dashboard/').set('Authorization', `Bearer ${token}`).expect(401);
      // Only that session ends.
      await t.request().get('/dashboard/').set('Authorization', `Bearer ${other}`).expect(200);
      const left = await t.store.listSessions('alice', t.clock.now);
      expect(left.map((s) => s.jti)).toEqual([(await t.deps.tokens.verify(other, new Date(t.clock.now))).jti]);
    });

    test('an invalid, already revoked or expired token: the same 200', async () => {
      for (const value of ['not-a-token', token.slice(0, -2)]) {
        expect((await revoke(value)).body).toEqual({ msg: 'successfully invalidated token', data: null });
      }
      await revoke(token).expect(200);
      await revoke(token).expect(200);
      t.clock.advance(3601);
      await revoke(await login(t)).expect(200);
    });

    test('a missing token parameter: 400 invalid_request', async () => {
      const res = await t.request().post('/oauth2/revoke').set('Authorization', billing).type('form').send('');
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    });

    test('a bad client: 401 invalid_client and the token stays valid', async () => {
      const res = await revoke(token, basic('billing', 'wrong-secret-0123456789'));
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(BASIC_CHALLENGE);
      expect(res.body.error).toBe('invalid_client');
      await t.request().get('/dashboard/').set('Authorization', `Bearer ${token}`).expect(200);
    });
  });

  test('with no clients configured every call is 401 invalid_client', async () => {
    const none = await createTestApp(kind);
    const res = await none.request().post('/oauth2/introspect').set('Authorization', billing).type('form').send({ token: 'x' });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
    await none.close();
  });

  test('GET is not allowed: 405', async () => {
    const res = await t.request().get('/oauth2/introspect');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
  });
});
