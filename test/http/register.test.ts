import { createTestApp, storeKinds, type TestApp } from '../helpers/app';
import { keysUnder, testRedisClient } from '../helpers/redis';

describe.each(storeKinds)('POST /register/ (%s store)', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp(kind);
  });
  afterEach(() => t.close());

  const created = { msg: 'successfully created user profile', data: null };

  test('a multipart form (what Postman sends as form-data) creates the user: 201', async () => {
    const res = await t
      .request()
      .post('/register/')
      .field('username', 'alice')
      .field('password', 'correct horse battery')
      .field('first_name', 'Alice')
      .field('last_name', 'Liddell');
    expect(res.status).toBe(201);
    expect(res.body).toEqual(created);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const user = await t.store.findUser('alice');
    expect(user).toMatchObject({ username: 'alice', firstName: 'Alice', lastName: 'Liddell', generation: expect.any(Number) });
    expect(user!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=8192,t=1,p=1\$/);
  });

  test('an urlencoded form creates the user', async () => {
    const res = await t.request().post('/register').type('form').send({ username: 'bob', password: 'hunter2hunter2' });
    expect(res.status).toBe(201);
    expect(await t.store.findUser('bob')).toMatchObject({ firstName: null, lastName: null });
  });

  test('JSON creates the user', async () => {
    const res = await t.request().post('/register/').send({ username: 'carol', password: 'p@ssw0rd-long', first_name: 'Carol' });
    expect(res.status).toBe(201);
    expect(await t.store.findUser('carol')).toMatchObject({ firstName: 'Carol', lastName: null });
  });

  test('the username is stored lowercased and "Alice" after "alice" is 409, not 500', async () => {
    await t.request().post('/register/').send({ username: 'alice', password: 'first password' }).expect(201);
    const before = await t.store.findUser('alice');
    const res = await t.request().post('/register/').send({ username: 'Alice', password: 'second password' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ msg: 'this user profile already exists', data: null, error: 'user_exists' });
    expect(await t.store.findUser('alice')).toEqual(before);
  });

  test('registering the same name twice is 409 and keeps the first password', async () => {
    await t.request().post('/register/').send({ username: 'dave', password: 'first password' }).expect(201);
    const hash = (await t.store.findUser('dave'))!.passwordHash;
    await t.request().post('/register/').send({ username: 'dave', password: 'second password' }).expect(409);
    expect((await t.store.findUser('dave'))!.passwordHash).toBe(hash);
    expect(await t.deps.passwords.verify(hash, 'first password')).toBe(true);
  });

  test('50 concurrent registrations of one name: exactly one 201, the rest 409, one stored hash', async () => {
    // All 50 pass the cheap "is the name taken" look-up before any of them is stored, so all
    // 50 hash; the queue is raised here so that none is turned away as busy (503).
    const roomy = await createTestApp(kind, { ARGON2_MAX_QUEUED: '64' });
    const passwords = Array.from({ length: 50 }, (_, i) => `password number ${i}`);
    const statuses = await Promise.all(
      passwords.map((password, i) =>
        roomy
          .request()
          .post('/register/')
          .send({ username: i % 2 === 0 ? 'erin' : 'ERIN', password })
          .then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const user = await roomy.store.findUser('erin');
    // The one stored hash is the winner's: it verifies its password and no other.
    const matches = await Promise.all(passwords.map((p) => roomy.deps.passwords.verify(user!.passwordHash, p)));
    expect(matches.filter(Boolean)).toHaveLength(1);
    expect(passwords[matches.indexOf(true)]).toBe(passwords[statuses.indexOf(201)]);
    if (roomy.prefix !== null) {
      const redis = await testRedisClient();
      try {
        expect(await keysUnder(redis, roomy.prefix)).toEqual([`${roomy.prefix}{erin}:user`]);
        expect((await redis.hkeys(`${roomy.prefix}{erin}:user`)).sort()).toEqual(['created_at', 'generation', 'hash']);
      } finally {
        redis.disconnect();
      }
    }
    await roomy.close();
  });

  test('more registrations at once than argon2 may take: the surplus gets 503 with Retry-After, nothing stored for them', async () => {
    const tight = await createTestApp(kind, { ARGON2_MAX_CONCURRENT: '1', ARGON2_MAX_QUEUED: '0' });
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        tight
          .request()
          .post('/register/')
          .send({ username: `user${i}`, password: 'a long enough password' })
          .then((r) => ({ i, status: r.status, retryAfter: r.headers['retry-after'], error: r.body.error })),
      ),
    );
    const busy = statuses.filter((s) => s.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s.status !== 503).every((s) => s.status === 201)).toBe(true);
    for (const { i, retryAfter, error } of busy) {
      expect(retryAfter).toBe('1');
      expect(error).toBe('service_unavailable');
      expect(await tight.store.findUser(`user${i}`)).toBeNull();
    }
    await tight.close();
  });

  test('a common password is refused whatever its case, saying why, and nothing is stored', async () => {
    for (const password of ['password123', 'Password123', 'QWERTY123']) {
      const res = await t.request().post('/register/').send({ username: 'kate', password });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        msg: 'password is one of the most commonly used passwords; choose another',
        data: null,
        error: 'invalid_password',
      });
    }
    expect(await t.store.findUser('kate')).toBeNull();
  });

  test.each([
    ['no body at all', undefined],
    ['an empty JSON object', {}],
    ['no password', { username: 'frank' }],
    ['an empty password', { username: 'frank', password: '' }],
    ['an empty username', { username: '', password: 'long enough' }],
  ])('%s: 400 "username and password are required fields", nothing stored', async (_, body) => {
    const req = t.request().post('/register/');
    const res = await (body === undefined ? req : req.send(body));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ msg: 'username and password are required fields', data: null, error: 'missing_fields' });
    expect(await t.store.findUser('frank')).toBeNull();
  });

  test.each([
    [{ username: 'bad name', password: 'long enough' }, 'invalid_username', 'username must be 1 to 64 characters: letters, digits and . _ - @'],
    [{ username: 'x'.repeat(65), password: 'long enough' }, 'invalid_username', 'username must be 1 to 64 characters: letters, digits and . _ - @'],
    [{ username: 'gina', password: 'short' }, 'invalid_password', 'password must be at least 8 characters'],
    [{ username: 'gina', password: 'p'.repeat(129) }, 'invalid_password', 'password must be at most 128 characters'],
    [{ username: 'gina', password: 'bad\ud800surrogate' }, 'invalid_password', 'password is not valid Unicode text'],
    [{ username: 'gina', password: ['a', 'b'] }, 'invalid_field', 'password must be a single text value'],
    [{ username: 'gina', password: 'long enough', first_name: 7 }, 'invalid_field', 'first_name must be a single text value'],
  ])('%j: 400 saying which rule failed, nothing stored', async (body, error, msg) => {
    const res = await t.request().post('/register/').send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ msg, data: null, error });
    expect(await t.store.findUser('gina')).toBeNull();
  });

  test('a form with a malformed percent-escape is 400 and stores nothing (it would change the password)', async () => {
    const res = await t.request().post('/register/').type('form').send('username=hank&password=abc%FFdefgh');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      msg: 'the form body has a malformed percent-escape or invalid UTF-8',
      data: null,
      error: 'malformed_body',
    });
    expect(await t.store.findUser('hank')).toBeNull();
  });

  test('a multipart body with invalid UTF-8 in the password is 400', async () => {
    const body = Buffer.concat([
      Buffer.from('--b\r\nContent-Disposition: form-data; name="username"\r\n\r\nivan\r\n'),
      Buffer.from('--b\r\nContent-Disposition: form-data; name="password"\r\n\r\nab'),
      Buffer.from([0xff]),
      Buffer.from('cdefgh\r\n--b--\r\n'),
    ]);
    const res = await t.request().post('/register/').set('Content-Type', 'multipart/form-data; boundary=b').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_password');
    expect(await t.store.findUser('ivan')).toBeNull();
  });

  test('a password is kept exactly as sent: spaces and non-ASCII characters log in unchanged', async () => {
    const password = '  Grüße, 世界 🔑  ';
    await t.request().post('/register/').send({ username: 'judy', password }).expect(201);
    expect(await t.deps.passwords.verify((await t.store.findUser('judy'))!.passwordHash, password)).toBe(true);
  });
});
