import { once } from 'node:events';
import type { Redis } from 'ioredis';
import supertest from 'supertest';
import { createApp } from '../../src/app';
import { createRedisClient } from '../../src/store/redis-connection';
import { RedisStore } from '../../src/store/redis-store';
import { StoreUnavailableError } from '../../src/store/store';
import { createTestApp, login, registerAndLogin, storeKinds, type TestApp } from '../helpers/app';
import { freePort } from '../helpers/redis-server';

const INVALID = /^Bearer realm="gatehouse", error="invalid_token"/;
const IDENTITY = ['x-auth-request-user', 'remote-user', 'x-auth-request-expires', 'x-auth-request-session'];

describe.each(storeKinds)('forward auth: /auth/verify (%s store)', (kind) => {
  let t: TestApp;
  let token: string;
  beforeEach(async () => {
    t = await createTestApp(kind);
    token = await registerAndLogin(t);
  });
  afterEach(() => t.close());

  const jtiOf = async (value: string) => (await t.deps.tokens.verify(value, new Date(t.clock.now))).jti;

  test('a valid token: 200, an empty body and the identity headers', async () => {
    const res = await t.request().get('/auth/verify').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(res.headers['content-length']).toBe('0');
    expect(res.headers['content-type']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-auth-request-user']).toBe('alice');
    expect(res.headers['remote-user']).toBe('alice');
    expect(res.headers['x-auth-request-session']).toBe(await jtiOf(token));
    // RFC 3339, the token's own expiry (TOKEN_TTL after login).
    const expires = res.headers['x-auth-request-expires'] as string;
    expect(expires).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Math.abs(Date.parse(expires) - (t.clock.now + 3600_000))).toBeLessThan(1000);
  });

  test.each([
    ['GET', '/auth/verify/'],
    ['HEAD', '/auth/verify'],
    ['POST', '/auth/verify'],
    ['GET', '/auth/verify/some/original/path?x=1'],
    ['POST', '/auth/verify/api/v1/things'],
  ])('%s %s also answers 200 with the identity (any suffix is ignored)', async (method, path) => {
    const res = await t.request()[method.toLowerCase() as 'get'](path).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.headers['x-auth-request-user']).toBe('alice');
  });

  test('POST with a body it does not need: the body is ignored', async () => {
    const res = await t
      .request()
      .post('/auth/verify')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/octet-stream')
      .send(Buffer.alloc(2048, 1));
    expect(res.status).toBe(200);
  });

  test('a path that only starts like it is not the route', async () => {
    await t.request().get('/auth/verifyx').set('Authorization', `Bearer ${token}`).expect(404);
  });

  test('another method: 405 with Allow', async () => {
    const res = await t.request().put('/auth/verify/x').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('HEAD, GET, POST');
  });

  // A proxy that asks with the client's method (Envoy's ext_authz) must never read a yes into
  // an OPTIONS answer: only a valid token gets a 2xx here. Elsewhere OPTIONS stays a 200.
  test.each(['/auth/verify', '/auth/verify/', '/auth/verify/api/things', '/AUTH/Verify/x'])(
    'OPTIONS %s, with or without a token: 405 with Allow, no identity headers',
    async (path) => {
      for (const auth of [undefined, `Bearer ${token}`]) {
        const req = t.request().options(path);
        const res = auth === undefined ? await req : await req.set('Authorization', auth);
        expect(res.status).toBe(405);
        expect(res.headers.allow).toBe('HEAD, GET, POST');
        expect(res.body).toEqual({ msg: 'OPTIONS is not allowed here; allowed: HEAD, GET, POST', data: null, error: 'method_not_allowed' });
        for (const name of IDENTITY) expect(res.headers[name]).toBeUndefined();
      }
      expect((await t.request().options('/sessions/')).status).toBe(200);
    },
  );

  test('no token: 401 with a bare Bearer challenge and no identity headers', async () => {
    for (const method of ['get', 'head', 'post'] as const) {
      const res = await t.request()[method]('/auth/verify');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="gatehouse"');
      expect(res.headers['cache-control']).toBe('no-store');
      for (const name of IDENTITY) expect(res.headers[name]).toBeUndefined();
    }
  });

  test('an invalid token: 401 with error="invalid_token"', async () => {
    const res = await t.request().get('/auth/verify').set('Authorization', `Bearer ${token.slice(0, -4)}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(INVALID);
    expect(res.body).toMatchObject({ error: 'invalid_token' });
  });

  test('an expired token: 401 invalid_token', async () => {
    t.clock.advance(3601);
    const res = await t.request().get('/auth/verify').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(INVALID);
  });

  test('a revoked token: 401 invalid_token, while another session of the user still passes', async () => {
    const other = await login(t);
    await t.request().post('/logout/').set('Authorization', `Bearer ${token}`).expect(200);
    const res = await t.request().get('/auth/verify').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(INVALID);
    await t.request().get('/auth/verify').set('Authorization', `Bearer ${other}`).expect(200);
  });

  test('identity headers sent by the client are neither trusted nor echoed', async () => {
    const spoof = {
      'X-Auth-Request-User': 'mallory',
      'Remote-User': 'mallory',
      'X-Auth-Request-Session': 'forged-session-id-123',
      'X-Auth-Request-Expires': '2099-01-01T00:00:00Z',
    };
    const ok = await t.request().get('/auth/verify').set(spoof).set('Authorization', `Bearer ${token}`);
    expect(ok.status).toBe(200);
    expect(ok.headers['x-auth-request-user']).toBe('alice');
    expect(ok.headers['remote-user']).toBe('alice');
    expect(ok.headers['x-auth-request-session']).toBe(await jtiOf(token));
    expect(ok.headers['x-auth-request-expires']).not.toBe(spoof['X-Auth-Request-Expires']);

    const refused = await t.request().get('/auth/verify').set(spoof);
    expect(refused.status).toBe(401);
    for (const name of IDENTITY) expect(refused.headers[name]).toBeUndefined();
    expect(JSON.stringify(refused.body)).not.toContain('mallory');
  });

  describe('the token in X-Auth-Token (AUTH_TOKEN_HEADER)', () => {
    test('is accepted instead of Authorization, here and on every bearer route', async () => {
      const res = await t.request().get('/auth/verify').set('X-Auth-Token', token);
      expect(res.status).toBe(200);
      expect(res.headers['x-auth-request-user']).toBe('alice');
      const dashboard = await t.request().get('/dashboard/').set('X-Auth-Token', token);
      expect(dashboard.status).toBe(200);
      expect(dashboard.body.data.username).toBe('alice');
    });

    test('is read while Authorization carries the app\'s own Basic credentials', async () => {
      await t.request().get('/auth/verify').set('Authorization', 'Basic YXBwOnNlY3JldA==').set('X-Auth-Token', token).expect(200);
    });

    test('the same token in both headers is accepted', async () => {
      await t.request().get('/auth/verify').set('Authorization', `Bearer ${token}`).set('X-Auth-Token', token).expect(200);
    });

    test('different tokens in the two headers: 400, the request is ambiguous', async () => {
      const other = await login(t);
      const res = await t.request().get('/auth/verify').set('Authorization', `Bearer ${token}`).set('X-Auth-Token', other);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        msg: 'the Authorization header and X-Auth-Token carry different tokens',
        data: null,
        error: 'invalid_request',
      });
    });

    test('two X-Auth-Token headers: 400', async () => {
      const res = await t.request().get('/auth/verify').set('X-Auth-Token', [token, token] as unknown as string) // sent as two headers;
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ msg: 'send exactly one X-Auth-Token header', error: 'invalid_request' });
    });

    test('a malformed, revoked or prefixed value: 401 invalid_token', async () => {
      for (const value of ['not a token', `Bearer ${token}`, `${token}x`]) {
        const res = await t.request().get('/auth/verify').set('X-Auth-Token', value);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(INVALID);
      }
      await t.request().post('/logout/').set('X-Auth-Token', token).expect(200);
      await t.request().get('/auth/verify').set('X-Auth-Token', token).expect(401);
    });

    test('an empty value counts as no token', async () => {
      const res = await t.request().get('/auth/verify').set('X-Auth-Token', '');
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('missing_token');
    });
  });

  test('AUTH_TOKEN_HEADER names another header, and an empty one turns the feature off', async () => {
    const custom = await createTestApp(kind, { AUTH_TOKEN_HEADER: 'X-Gatehouse-Token' });
    const customToken = await registerAndLogin(custom);
    await custom.request().get('/auth/verify').set('X-Gatehouse-Token', customToken).expect(200);
    expect((await custom.request().get('/auth/verify').set('X-Auth-Token', customToken)).body.error).toBe('missing_token');
    await custom.close();

    const off = await createTestApp(kind, { AUTH_TOKEN_HEADER: '' });
    const offToken = await registerAndLogin(off);
    expect((await off.request().get('/auth/verify').set('X-Auth-Token', offToken)).body.error).toBe('missing_token');
    await off.request().get('/auth/verify').set('Authorization', `Bearer ${offToken}`).expect(200);
    await off.close();
  });
});

describe('forward auth fails closed when the store cannot answer', () => {
  test('a store that throws StoreUnavailableError: 503, no identity headers', async () => {
    const t = await createTestApp('memory');
    const token = await registerAndLogin(t);
    const down = { ...t.deps.store, authenticate: () => Promise.reject(new StoreUnavailableError('down')) };
    const app = createApp({ ...t.deps, store: down });
    for (const method of ['get', 'head', 'post'] as const) {
      const res = await supertest(app.callback())[method]('/auth/verify').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.headers['x-auth-request-user']).toBeUndefined();
      if (method !== 'head') {
        expect(res.body).toEqual({ msg: 'the user store is unavailable; try again shortly', data: null, error: 'service_unavailable' });
      }
    }
    await t.close();
  });

  test('a Redis store whose server does not answer: 503', async () => {
    const t = await createTestApp('memory');
    const token = await registerAndLogin(t);
    const closed = createRedisClient(`redis://127.0.0.1:${await freePort()}`, { retryStrategy: () => null });
    closed.on('error', () => {});
    const app = createApp({ ...t.deps, store: new RedisStore(closed, 'gatehouse-test:down:') });
    const res = await supertest(app.callback()).get('/auth/verify').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(503);
    expect(res.headers['x-auth-request-user']).toBeUndefined();
    await t.close();
    await disconnected(closed);
  });
});

/** Disconnects and waits until ioredis has let go of its sockets and timers. */
async function disconnected(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  const ended = once(redis, 'end');
  redis.disconnect();
  await ended;
}
