import { isLive, createTestApp, login, registerAndLogin, storeKinds, type TestApp } from '../helpers/app';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe.each(storeKinds)('sessions: GET|DELETE /sessions/, DELETE /sessions/:jti, logout?scope=global (%s store)', (kind) => {
  let t: TestApp;
  let first: string;
  beforeEach(async () => {
    t = await createTestApp(kind);
    first = await registerAndLogin(t);
  });
  afterEach(() => t.close());

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const jtiOf = async (token: string) => (await t.deps.tokens.verify(token, new Date(t.clock.now))).jti;
  const live = (value: string) => isLive(t, value);

  describe('GET /sessions/', () => {
    test('lists every live session with its details, oldest first, marking the current one', async () => {
      t.clock.advance(5);
      const second = await login(t, 'alice', 'correct horse battery', 'Phone/1.0');
      const res = await t.request().get('/sessions/').set(bearer(second));
      expect(res.status).toBe(200);
      expect(res.body.msg).toBe('successfully listed sessions');
      const sessions = res.body.data.sessions;
      expect(sessions).toEqual([
        {
          jti: await jtiOf(first),
          issued_at: expect.stringMatching(ISO),
          expires_at: expect.stringMatching(ISO),
          user_agent: null, // supertest sends no User-Agent
          address: expect.stringMatching(/127\.0\.0\.1/),
          current: false,
        },
        {
          jti: await jtiOf(second),
          issued_at: expect.stringMatching(ISO),
          expires_at: expect.stringMatching(ISO),
          user_agent: 'Phone/1.0',
          address: expect.stringMatching(/127\.0\.0\.1/),
          current: true,
        },
      ]);
      const { iat, exp } = await t.deps.tokens.verify(second, new Date(t.clock.now));
      expect(Date.parse(sessions[1].issued_at)).toBe(t.clock.now);
      expect(Math.floor(t.clock.now / 1000)).toBe(iat);
      expect(Date.parse(sessions[1].expires_at)).toBe(exp * 1000);
      // Without the trailing slash too.
      expect((await t.request().get('/sessions').set(bearer(first))).body.data.sessions).toHaveLength(2);
    });

    test('sessions of logins within one second list in the order of the logins', async () => {
      const agents = ['ua1', 'ua2', 'ua3', 'ua4', 'ua5'];
      t.clock.now = Math.floor(t.clock.now / 1000) * 1000 + 5000;
      for (const agent of agents) {
        t.clock.now += 1;
        await login(t, 'alice', 'correct horse battery', agent);
      }
      const res = await t.request().get('/sessions/').set(bearer(first));
      expect(res.body.data.sessions.map((s: { user_agent: string | null }) => s.user_agent)).toEqual([null, ...agents]);
    });

    test('shows only the caller\'s sessions, and no ended or expired ones', async () => {
      await registerAndLogin(t, 'bob');
      const second = await login(t);
      await t.request().post('/logout/').set(bearer(first)).expect(200);
      let res = await t.request().get('/sessions/').set(bearer(second));
      expect(res.body.data.sessions.map((s: { jti: string }) => s.jti)).toEqual([await jtiOf(second)]);

      t.clock.advance(3000);
      const third = await login(t);
      t.clock.advance(700); // the second has expired, the third has not
      res = await t.request().get('/sessions/').set(bearer(third));
      expect(res.body.data.sessions.map((s: { jti: string }) => s.jti)).toEqual([await jtiOf(third)]);
    });

    test('without a valid token: 401', async () => {
      await t.request().get('/sessions/').expect(401);
      await t.request().get('/sessions/').set(bearer('v3.local.nope.nope')).expect(401);
    });
  });

  describe('DELETE /sessions/', () => {
    test('ends every other session and keeps the current one', async () => {
      const others = [await login(t), await login(t), await login(t)];
      await registerAndLogin(t, 'bob');
      const res = await t.request().delete('/sessions/').set(bearer(first));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ msg: 'successfully revoked other sessions', data: { revoked: 3 } });
      for (const token of others) expect(await live(token)).toBe(false);
      expect(await live(first)).toBe(true);
      expect((await t.store.listSessions('alice', t.clock.now)).map((s) => s.jti)).toEqual([await jtiOf(first)]);
      // Another user's sessions are untouched.
      expect(await t.store.listSessions('bob', t.clock.now)).toHaveLength(1);
    });

    test('with no other session: 200, nothing revoked', async () => {
      const res = await t.request().delete('/sessions').set(bearer(first));
      expect(res.body).toEqual({ msg: 'successfully revoked other sessions', data: { revoked: 0 } });
      expect(await live(first)).toBe(true);
    });

    test('without a valid token: 401 and nothing is revoked', async () => {
      await t.request().delete('/sessions/').expect(401);
      expect(await t.store.listSessions('alice', t.clock.now)).toHaveLength(1);
    });
  });

  describe('DELETE /sessions/:jti', () => {
    test('ends that one session of the caller', async () => {
      const phone = await login(t);
      const laptop = await login(t);
      const res = await t.request().delete(`/sessions/${await jtiOf(phone)}`).set(bearer(first));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ msg: 'successfully revoked session', data: null });
      expect(await live(phone)).toBe(false);
      expect(await live(laptop)).toBe(true);
      expect(await live(first)).toBe(true);
    });

    test('an unknown, ended, malformed or another user\'s session id: 404 and nothing changes', async () => {
      const bobs = await registerAndLogin(t, 'bob');
      const ended = await login(t);
      await t.request().post('/logout/').set(bearer(ended)).expect(200);
      for (const id of [await jtiOf(bobs), await jtiOf(ended), 'A'.repeat(22), 'short', '..%2F..']) {
        const res = await t.request().delete(`/sessions/${id}`).set(bearer(first));
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ msg: 'you have no live session with this id', data: null, error: 'not_found' });
      }
      expect(await live(bobs)).toBe(true);
      expect(await live(first)).toBe(true);
    });
  });

  describe('POST /logout/?scope=global', () => {
    test('ends every session of the user, the current one included', async () => {
      const others = [await login(t), await login(t)];
      const bobs = await registerAndLogin(t, 'bob');
      const res = await t.request().post('/logout/?scope=global').set(bearer(first));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ msg: 'successfully invalidated all tokens', data: { revoked: 3 } });
      for (const token of [first, ...others]) expect(await live(token)).toBe(false);
      expect(await t.store.listSessions('alice', t.clock.now)).toEqual([]);
      expect(await live(bobs)).toBe(true);
      // Logging in again works.
      expect(await live(await login(t))).toBe(true);
    });

    test('GET works too, and scope=local is the default behaviour', async () => {
      const other = await login(t);
      const local = await t.request().get('/logout?scope=local').set(bearer(first));
      expect(local.body).toEqual({ msg: 'successfully invalidated token', data: null });
      expect(await live(other)).toBe(true);
      await t.request().get('/logout/?scope=global').set(bearer(other)).expect(200);
      expect(await live(other)).toBe(false);
    });

    test('an unknown or repeated scope: 400 and nothing is revoked', async () => {
      for (const query of ['scope=everything', 'scope=global&scope=local', 'scope=']) {
        const res = await t.request().post(`/logout/?${query}`).set(bearer(first));
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ msg: 'scope must be "local" or "global"', data: null, error: 'invalid_request' });
      }
      expect(await live(first)).toBe(true);
    });

    test('without a valid token: 401', async () => {
      await t.request().post('/logout/?scope=global').expect(401);
      expect(await live(first)).toBe(true);
    });
  });
});
