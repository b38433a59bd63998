import { isLive, basic, createTestApp, login, registerAndLogin, storeKinds, type TestApp } from '../helpers/app';

const OLD = 'correct horse battery';
const NEW = 'a brand new passphrase';

describe.each(storeKinds)('PUT /password/ (%s store)', (kind) => {
  let t: TestApp;
  let token: string;
  beforeEach(async () => {
    t = await createTestApp(kind);
    token = await registerAndLogin(t);
  });
  afterEach(() => t.close());

  const change = (body: Record<string, unknown>, bearer = token) =>
    t.request().put('/password/').set('Authorization', `Bearer ${bearer}`).send(body);
  const live = (value: string) => isLive(t, value);
  const canLogin = async (password: string) => (await t.request().post('/login/').set('Authorization', basic('alice', password))).status === 200;

  test('changes the password, keeps the current session and ends every other one', async () => {
    const others = [await login(t), await login(t)];
    const before = await t.store.findUser('alice');
    const res = await change({ current_password: OLD, new_password: NEW });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ msg: 'successfully changed password', data: null });
    expect(await live(token)).toBe(true);
    for (const other of others) expect(await live(other)).toBe(false);
    expect(await t.store.listSessions('alice', t.clock.now)).toHaveLength(1);
    const after = await t.store.findUser('alice');
    expect(after?.generation).toBe(before!.generation + 1);
    expect(after?.passwordHash).not.toBe(before!.passwordHash);
    expect(await canLogin(OLD)).toBe(false);
    expect(await canLogin(NEW)).toBe(true);
  });

  test.each([
    ['urlencoded', 'form'],
    ['multipart', 'multipart'],
  ])('accepts the fields %s too', async (_, type) => {
    const req = t.request().put('/password').set('Authorization', `Bearer ${token}`);
    const res = type === 'form'
      ? await req.type('form').send({ current_password: OLD, new_password: NEW })
      : await req.field('current_password', OLD).field('new_password', NEW);
    expect(res.status).toBe(200);
    expect(await canLogin(NEW)).toBe(true);
  });

  test('a wrong current password: 403 wrong_password, nothing changes, the token stays valid', async () => {
    const other = await login(t);
    const before = await t.store.findUser('alice');
    const res = await change({ current_password: 'not my password', new_password: NEW });
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.body).toEqual({ msg: 'the current password is wrong', data: null, error: 'wrong_password' });
    expect(await t.store.findUser('alice')).toEqual(before);
    expect(await live(token)).toBe(true);
    expect(await live(other)).toBe(true);
  });

  test.each([
    [{ new_password: NEW }],
    [{ current_password: OLD }],
    [{ current_password: '', new_password: NEW }],
    [{}],
  ])('missing fields %j: 400 missing_fields', async (body) => {
    const res = await change(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ msg: 'current_password and new_password are required fields', data: null, error: 'missing_fields' });
  });

  test.each([
    ['short', 'new password must be at least 8 characters'],
    ['x'.repeat(129), 'new password must be at most 128 characters'],
    ['tab\there!!', 'new password must not contain control characters'],
    [OLD, 'new password must differ from the current one'],
  ])('a new password that breaks the rules (%s): 400 invalid_password, nothing changes', async (replacement, msg) => {
    const before = await t.store.findUser('alice');
    const res = await change({ current_password: OLD, new_password: replacement });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ msg, data: null, error: 'invalid_password' });
    expect(await t.store.findUser('alice')).toEqual(before);
  });

  test('a field that is not text: 400 invalid_field', async () => {
    const res = await change({ current_password: OLD, new_password: ['a', 'b'] });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_field');
  });

  test('without a valid token: 401, also with the right password', async () => {
    const res = await t.request().put('/password/').send({ current_password: OLD, new_password: NEW });
    expect(res.status).toBe(401);
    await t.request().post('/logout/').set('Authorization', `Bearer ${token}`).expect(200);
    expect((await change({ current_password: OLD, new_password: NEW })).status).toBe(401);
    expect(await canLogin(OLD)).toBe(true);
  });

  test('a password change elsewhere since the check: 409 conflict, the first change stands', async () => {
    // Simulate the race: another request changes the password between our check and our write.
    const store = t.deps.store;
    const user = await t.store.findUser('alice');
    const spy = jest.spyOn(store, 'findUser').mockResolvedValueOnce(user);
    const { jti } = await t.deps.tokens.verify(token, new Date(t.clock.now));
    await t.store.changePassword('alice', user!.generation, user!.passwordHash, jti);
    const res = await change({ current_password: OLD, new_password: NEW });
    spy.mockRestore();
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ msg: 'the password was changed by another request meanwhile; try again', data: null, error: 'conflict' });
    expect(await canLogin(NEW)).toBe(false);
  });

  test('passwords never reach the logs', async () => {
    await change({ current_password: 'not my password', new_password: NEW });
    await change({ current_password: OLD, new_password: NEW });
    const logs = t.logs.join('');
    expect(logs).toContain('password_changed');
    for (const secret of [OLD, NEW, 'not my password']) expect(logs).not.toContain(secret);
  });
});
