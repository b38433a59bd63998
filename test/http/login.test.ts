import { basic, createTestApp, storeKinds, type TestApp } from '../helpers/app';
import { PasswordHasherBusy } from '../../src/passwords/hasher';

const BASIC_CHALLENGE = 'Basic realm="gatehouse", charset="UTF-8"';

describe.each(storeKinds)('POST /login/ (%s store)', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp(kind);
    await t.request().post('/register/').send({ username: 'alice', password: 'correct horse battery' }).expect(201);
  });
  afterEach(() => t.close());

  test('right credentials: 200 with a Bearer token, its lifetime and expiry, and a new session', async () => {
    const res = await t
      .request()
      .post('/login/')
      .set('Authorization', basic('alice', 'correct horse battery'))
      .set('User-Agent', 'PostmanRuntime/7.36');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      msg: 'successfully authenticated user',
      data: {
        auth_token: expect.stringMatching(/^v3\.local\./),
        token_type: 'Bearer',
        expires_in: 3600,
        expires_at: new Date((Math.floor(t.clock.now / 1000) + 3600) * 1000).toISOString(),
      },
    });
    expect(res.headers['cache-control']).toBe('no-store');
    const claims = await t.deps.tokens.verify(res.body.data.auth_token, new Date(t.clock.now));
    expect(await t.store.listSessions('alice', t.clock.now)).toEqual([
      {
        jti: claims.jti,
        username: 'alice',
        issuedAt: t.clock.now,
        expiresAt: claims.exp * 1000,
        userAgent: 'PostmanRuntime/7.36',
        address: expect.stringMatching(/127\.0\.0\.1|::1/),
      },
    ]);
  });

  test('the username is case-insensitive', async () => {
    const res = await t.request().post('/login').set('Authorization', basic('ALICE', 'correct horse battery'));
    expect(res.status).toBe(200);
  });

  test('TOKEN_TTL sets expires_in', async () => {
    const short = await createTestApp(kind, { TOKEN_TTL: '120' });
    await short.request().post('/register/').send({ username: 'bob', password: 'correct horse battery' });
    const res = await short.request().post('/login/').set('Authorization', basic('bob', 'correct horse battery'));
    expect(res.body.data.expires_in).toBe(120);
    await short.close();
  });

  test('a wrong password and an unknown user get the same 401, and no session is created', async () => {
    const wrong = await t.request().post('/login/').set('Authorization', basic('alice', 'wrong password'));
    const unknown = await t.request().post('/login/').set('Authorization', basic('nobody', 'wrong password'));
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(BASIC_CHALLENGE);
      expect(res.body).toEqual({ msg: 'invalid username or password', data: null, error: 'invalid_credentials' });
    }
    expect(await t.store.listSessions('alice', t.clock.now)).toEqual([]);
  });

  test('an unknown user costs an argon2 verify, like a wrong password', async () => {
    const spy = jest.spyOn(t.deps.passwords, 'verifyNothing');
    await t.request().post('/login/').set('Authorization', basic('nobody', 'whatever pw')).expect(401);
    await t.request().post('/login/').set('Authorization', basic('not a valid name!', 'whatever pw')).expect(401);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  test('no credentials: 401 with the Basic challenge', async () => {
    const res = await t.request().post('/login/');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(BASIC_CHALLENGE);
    expect(res.body).toEqual({ msg: 'HTTP Basic credentials are required', data: null, error: 'missing_credentials' });
  });

  test('the password is split at the first colon only (RFC 7617), so it may contain colons', async () => {
    await t.request().post('/register/').send({ username: 'carol', password: 'pass:with:colons' }).expect(201);
    await t.request().post('/login/').set('Authorization', basic('carol', 'pass:with:colons')).expect(200);
  });

  test('UTF-8 credentials work (RFC 7617 charset)', async () => {
    await t.request().post('/register/').send({ username: 'dora', password: 'pässwörd-✓' }).expect(201);
    await t.request().post('/login/').set('Authorization', basic('dora', 'pässwörd-✓')).expect(200);
  });

  test.each([
    ['another scheme', 'Bearer abc'],
    ['no base64', 'Basic'],
    ['not base64', 'Basic !!!!'],
    ['base64 with a bad length', 'Basic YWJj='],
    ['no colon', `Basic ${Buffer.from('alice').toString('base64')}`],
    ['invalid UTF-8', `Basic ${Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString('base64')}`],
    ['a control character in the username', `Basic ${Buffer.from('ali\u0001ce:correct horse battery').toString('base64')}`],
  ])('malformed credentials (%s): 401 with the Basic challenge, no session', async (_, header) => {
    const res = await t.request().post('/login/').set('Authorization', header);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(BASIC_CHALLENGE);
    expect(res.body).toMatchObject({ data: null, error: 'invalid_credentials' });
    expect(await t.store.listSessions('alice', t.clock.now)).toEqual([]);
  });

  test('two Authorization headers: 400, since which one counts is ambiguous', async () => {
    const res = await t
      .request()
      .post('/login/')
      .set('Authorization', [basic('alice', 'correct horse battery'), basic('alice', 'x')] as unknown as string);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ msg: 'send exactly one Authorization header', data: null, error: 'invalid_request' });
    expect(await t.store.listSessions('alice', t.clock.now)).toEqual([]);
  });

  test('a hash made with older argon2 parameters is upgraded at the next successful login', async () => {
    const stronger = await createTestApp(kind, { ARGON2_MEMORY_KIB: '9216', ARGON2_ITERATIONS: '2' });
    // Same store contents as a server that used to run with weaker parameters.
    const weakHash = await t.deps.passwords.hash('correct horse battery');
    await stronger.store.createUser({ username: 'erin', passwordHash: weakHash, firstName: null, lastName: null, createdAt: Date.now() });
    await stronger.request().post('/login/').set('Authorization', basic('erin', 'correct horse battery')).expect(200);
    const upgraded = (await stronger.store.findUser('erin'))!.passwordHash;
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=9216,t=2,p=1\$/);
    expect(await stronger.deps.passwords.verify(upgraded, 'correct horse battery')).toBe(true);
    await stronger.close();
  });

  test('when argon2 is at its bound the upgrade waits for a later login; this one still succeeds', async () => {
    const stronger = await createTestApp(kind, { ARGON2_MEMORY_KIB: '9216', ARGON2_ITERATIONS: '2' });
    const weakHash = await t.deps.passwords.hash('correct horse battery');
    await stronger.store.createUser({ username: 'fred', passwordHash: weakHash, firstName: null, lastName: null, createdAt: Date.now() });
    jest.spyOn(stronger.deps.passwords, 'hash').mockRejectedValueOnce(new PasswordHasherBusy());
    await stronger.request().post('/login/').set('Authorization', basic('fred', 'correct horse battery')).expect(200);
    expect((await stronger.store.findUser('fred'))!.passwordHash).toBe(weakHash);
    await stronger.request().post('/login/').set('Authorization', basic('fred', 'correct horse battery')).expect(200);
    expect((await stronger.store.findUser('fred'))!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=9216,t=2,p=1\$/);
    await stronger.close();
  });

  test('a login whose password changed while it was being checked gets no token', async () => {
    // The store refuses the session because the generation moved on (see Store.createSession).
    const user = (await t.store.findUser('alice'))!;
    const original = t.deps.passwords.verify;
    jest.spyOn(t.deps.passwords, 'verify').mockImplementationOnce(async (hash, password) => {
      const ok = await original(hash, password);
      await t.store.changePassword('alice', user.generation, await t.deps.passwords.hash('a new password'), null);
      return ok;
    });
    const res = await t.request().post('/login/').set('Authorization', basic('alice', 'correct horse battery'));
    expect(res.status).toBe(401);
    expect(await t.store.listSessions('alice', t.clock.now)).toEqual([]);
  });

  test('logs record the outcome and the username, never the password', async () => {
    await t.request().post('/login/').set('Authorization', basic('alice', 'correct horse battery')).expect(200);
    await t.request().post('/login/').set('Authorization', basic('alice', 'the wrong one')).expect(401);
    const text = t.logs.join('');
    expect(text).toContain('"event":"login_succeeded","username":"alice"');
    expect(text).toContain('"event":"login_failed","username":"alice"');
    expect(text).not.toContain('correct horse battery');
    expect(text).not.toContain('the wrong one');
  });
});
