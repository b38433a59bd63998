import { isLive, basic, createTestApp, login, registerAndLogin, storeKinds, type TestApp } from '../helpers/app';

const PASSWORD = 'correct horse battery';

describe.each(storeKinds)('DELETE /account/ (%s store)', (kind) => {
  let t: TestApp;
  let token: string;
  beforeEach(async () => {
    t = await createTestApp(kind);
    token = await registerAndLogin(t);
  });
  afterEach(() => t.close());

  const remove = (body: Record<string, unknown>, bearer = token) =>
    t.request().delete('/account/').set('Authorization', `Bearer ${bearer}`).send(body);
  const live = (value: string) => isLive(t, value);

  test('deletes the user and ends every one of its tokens', async () => {
    const others = [await login(t), await login(t)];
    const bobs = await registerAndLogin(t, 'bob');
    const res = await remove({ password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ msg: 'successfully deleted user profile', data: null });
    expect(await t.store.findUser('alice')).toBeNull();
    expect(await t.store.listSessions('alice', t.clock.now)).toEqual([]);
    for (const value of [token, ...others]) expect(await live(value)).toBe(false);
    await t.request().get('/dashboard/').set('Authorization', `Bearer ${token}`).expect(401);
    await t.request().post('/login/').set('Authorization', basic('alice', PASSWORD)).expect(401);
    expect(await live(bobs)).toBe(true);
  });

  test('the name can be registered again, and the old tokens stay dead for the new user', async () => {
    await remove({ password: PASSWORD }).expect(200);
    const fresh = await registerAndLogin(t, 'Alice', 'another good password', { first_name: 'New' });
    expect(await live(token)).toBe(false);
    const res = await t.request().get('/dashboard/').set('Authorization', `Bearer ${fresh}`);
    expect(res.body.data).toEqual({ username: 'alice', first_name: 'New', last_name: null });
  });

  test.each([
    ['urlencoded', 'form'],
    ['multipart', 'multipart'],
  ])('accepts the password %s too', async (_, type) => {
    const req = t.request().delete('/account').set('Authorization', `Bearer ${token}`);
    const res = type === 'form' ? await req.type('form').send({ password: PASSWORD }) : await req.field('password', PASSWORD);
    expect(res.status).toBe(200);
    expect(await t.store.findUser('alice')).toBeNull();
  });

  test('a wrong password: 403 wrong_password and nothing is deleted', async () => {
    const res = await remove({ password: 'not my password' });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ msg: 'the current password is wrong', data: null, error: 'wrong_password' });
    expect(await t.store.findUser('alice')).not.toBeNull();
    expect(await live(token)).toBe(true);
  });

  test('no password: 400 missing_fields and nothing is deleted', async () => {
    for (const body of [{}, { password: '' }]) {
      const res = await remove(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ msg: 'password is a required field', data: null, error: 'missing_fields' });
    }
    const bare = await t.request().delete('/account/').set('Authorization', `Bearer ${token}`);
    expect(bare.status).toBe(400);
    expect(await t.store.findUser('alice')).not.toBeNull();
  });

  test('without a valid token: 401, even with the right password', async () => {
    await t.request().delete('/account/').send({ password: PASSWORD }).expect(401);
    await t.request().post('/logout/').set('Authorization', `Bearer ${token}`).expect(200);
    expect((await remove({ password: PASSWORD })).status).toBe(401);
    expect(await t.store.findUser('alice')).not.toBeNull();
  });

  test('a second delete with a token of the deleted user: 401', async () => {
    const other = await login(t);
    await remove({ password: PASSWORD }).expect(200);
    expect((await remove({ password: PASSWORD }, other)).status).toBe(401);
  });
});
