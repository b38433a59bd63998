import { PasswordHasherBusy } from '../../src/passwords/hasher';
import { StoreUnavailableError } from '../../src/store/store';
import { basic, createTestApp, isLive, registerAndLogin, storeKinds, type TestApp } from '../helpers/app';

const PASSWORD = 'correct horse battery';
const NEW = 'a brand new passphrase';
const THROTTLED = { msg: 'too many failed logins; try again later', data: null, error: 'too_many_requests' };

/**
 * PUT /password/ and DELETE /account/ ask for the current password again. Those checks go
 * through the login throttle, on /login/'s counters: a stolen token is not an unlimited oracle
 * for its user's password.
 */
describe.each(storeKinds)('re-authentication throttling (%s store)', (kind) => {
  let t: TestApp;
  let token: string;
  beforeEach(async () => {
    t = await createTestApp(kind);
    token = await registerAndLogin(t);
  });
  afterEach(() => t.close());

  const changePassword = (current: string) =>
    t.request().put('/password/').set('Authorization', `Bearer ${token}`).send({ current_password: current, new_password: NEW });
  const deleteAccount = (password: string) =>
    t.request().delete('/account/').set('Authorization', `Bearer ${token}`).send({ password });
  const accountFailures = () => t.deps.throttle.failures('account', 'alice');

  test.each([
    ['PUT /password/', changePassword],
    ['DELETE /account/', deleteAccount],
  ])('%s: after 10 wrong passwords the 11th check is a 429 with Retry-After, before any argon2 work, and nothing changes', async (_, send) => {
    for (let i = 0; i < 10; i += 1) expect((await send(`wrong password ${i}`)).status).toBe(403);
    expect(await accountFailures()).toBe(10);
    const before = await t.store.findUser('alice');
    const verify = jest.spyOn(t.deps.passwords, 'verify');
    // Even the right password: a lock that yields to it would tell the guesser it is right.
    const res = await send(PASSWORD);
    expect(res.status).toBe(429);
    expect(res.body).toEqual(THROTTLED);
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(890);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(verify).not.toHaveBeenCalled();
    expect(await t.store.findUser('alice')).toEqual(before);
    expect(await isLive(t, token)).toBe(true);
    expect(t.logs.join('')).toContain('"event":"reauthentication_throttled","username":"alice"');
  });

  test('they are the login counters: wrong current passwords lock /login/ for the account, and failed logins lock the account deletion', async () => {
    for (let i = 0; i < 10; i += 1) await changePassword(`wrong password ${i}`).expect(403);
    await t.request().post('/login/').set('Authorization', basic('alice', PASSWORD)).expect(429);

    const other = await createTestApp(kind);
    try {
      const bobs = await registerAndLogin(other, 'bob');
      for (let i = 0; i < 10; i += 1) {
        await other.request().post('/login/').set('Authorization', basic('bob', `wrong password ${i}`)).expect(401);
      }
      const res = await other.request().delete('/account/').set('Authorization', `Bearer ${bobs}`).send({ password: PASSWORD });
      expect(res.status).toBe(429);
      expect(await other.store.findUser('bob')).not.toBeNull();
    } finally {
      await other.close();
    }
  });

  test('the right password resets the account count, as a login does', async () => {
    for (let i = 0; i < 3; i += 1) await changePassword(`wrong password ${i}`).expect(403);
    expect(await accountFailures()).toBe(3);
    await changePassword(PASSWORD).expect(200);
    expect(await accountFailures()).toBe(0);
  });

  test('the address counts a wrong password and gets a right one back, as for a login', async () => {
    const address = async () => {
      const res = await changePassword('wrong password');
      expect(res.status).toBe(403);
      return t.deps.throttle.failures('address', '127.0.0.1');
    };
    expect(await address()).toBe(1);
    expect(await address()).toBe(2);
    await changePassword(PASSWORD).expect(200);
    expect(await t.deps.throttle.failures('address', '127.0.0.1')).toBe(2);
  });

  test('a check the hasher was too busy for is given back: 503, not counted', async () => {
    jest.spyOn(t.deps.passwords, 'verify').mockRejectedValueOnce(new PasswordHasherBusy());
    const res = await deleteAccount('whatever it is');
    expect(res.status).toBe(503);
    expect(await accountFailures()).toBe(0);
    expect(await t.store.findUser('alice')).not.toBeNull();
  });

  test('a user deleted since the bearer check: 401, and nothing counted', async () => {
    jest.spyOn(t.deps.store, 'findUser').mockResolvedValueOnce(null);
    const res = await changePassword('whatever it is');
    expect(res.status).toBe(401);
    expect(await accountFailures()).toBe(0);
  });

  test('a check that could not be made (the store failed) is given back, not counted', async () => {
    await changePassword('wrong password').expect(403);
    jest.spyOn(t.deps.store, 'findUser').mockRejectedValueOnce(new StoreUnavailableError('store down'));
    const res = await changePassword('another wrong one');
    expect(res.status).toBe(503);
    expect(await accountFailures()).toBe(1);
  });
});
