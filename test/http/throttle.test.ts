import supertest from 'supertest';
import { createApp } from '../../src/app';
import { PasswordHasherBusy } from '../../src/passwords/hasher';
import { StoreUnavailableError } from '../../src/store/store';
import { basic, createTestApp, storeKinds, type TestApp } from '../helpers/app';
import { keysUnder, testRedisClient } from '../helpers/redis';

const PASSWORD = 'correct horse battery';
const THROTTLED = { msg: 'too many failed logins; try again later', data: null, error: 'too_many_requests' };

const login = (t: TestApp, username: string, password: string, forwardedFor?: string) => {
  const req = t.request().post('/login/').set('Authorization', basic(username, password));
  return forwardedFor === undefined ? req : req.set('X-Forwarded-For', forwardedFor);
};

async function fail(t: TestApp, times: number, username = 'alice', forwardedFor?: string): Promise<void> {
  for (let i = 0; i < times; i += 1) await login(t, username, `wrong password ${i}`, forwardedFor).expect(401);
}

describe.each(storeKinds)('login throttling (%s store)', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp(kind);
    await t.request().post('/register/').send({ username: 'alice', password: PASSWORD }).expect(201);
  });
  afterEach(() => t.close());

  test('after 10 failures for an account the 11th attempt is a 429 with Retry-After, before any argon2 work', async () => {
    await fail(t, 10);
    const verify = jest.spyOn(t.deps.passwords, 'verify');
    const verifyNothing = jest.spyOn(t.deps.passwords, 'verifyNothing');
    // Even the right password: a lock that yields to it would tell the attacker it is right.
    const res = await login(t, 'alice', PASSWORD);
    expect(res.status).toBe(429);
    expect(res.body).toEqual(THROTTLED);
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(890);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(verify).not.toHaveBeenCalled();
    expect(verifyNothing).not.toHaveBeenCalled();
    expect(await t.store.listSessions('alice', t.clock.now)).toEqual([]);
    expect(t.logs.join('')).toContain('"event":"login_throttled","username":"alice"');
  });

  test('an unknown name is locked the same way and gets the same answer', async () => {
    await fail(t, 10, 'nobody');
    const unknown = await login(t, 'nobody', 'whatever it is');
    await fail(t, 10, 'alice');
    const known = await login(t, 'alice', 'whatever it is');
    for (const res of [unknown, known]) {
      expect(res.status).toBe(429);
      expect(res.body).toEqual(THROTTLED);
      expect(Object.keys(res.headers).sort()).toEqual(Object.keys(known.headers).sort());
    }
    expect(Math.abs(Number(unknown.headers['retry-after']) - Number(known.headers['retry-after']))).toBeLessThanOrEqual(1);
  });

  test('names that differ only in case share one counter', async () => {
    for (const name of ['alice', 'ALICE', 'Alice', 'aLiCe', 'alicE']) await fail(t, 2, name);
    expect(await t.deps.throttle.failures('account', 'alice')).toBe(10);
    expect((await login(t, 'AlIcE', PASSWORD)).status).toBe(429);
  });

  test('a success resets the account counter, so failures start again from zero', async () => {
    await fail(t, 9);
    expect(await t.deps.throttle.failures('account', 'alice')).toBe(9);
    await login(t, 'alice', PASSWORD).expect(200);
    expect(await t.deps.throttle.failures('account', 'alice')).toBe(0);
    await fail(t, 10);
    expect((await login(t, 'alice', PASSWORD)).status).toBe(429);
  });

  test('successes do not count against the address, failures do', async () => {
    for (let i = 0; i < 5; i += 1) await login(t, 'alice', PASSWORD).expect(200);
    await fail(t, 3);
    expect(await t.deps.throttle.failures('address', '127.0.0.1')).toBe(3);
  });

  test('100 concurrent wrong passwords record exactly 100 failures; only 10 are checked, none gets a token', async () => {
    const verify = jest.spyOn(t.deps.passwords, 'verify');
    const statuses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => login(t, 'alice', `guess number ${i}`).then((r) => r.status)),
    );
    expect(await t.deps.throttle.failures('account', 'alice')).toBe(100);
    expect(await t.deps.throttle.failures('address', '127.0.0.1')).toBe(100);
    // Each attempt is counted atomically before its password is checked, so concurrency cannot
    // get more than the limit checked.
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(90);
    expect(verify).toHaveBeenCalledTimes(10);
    expect(await t.store.listSessions('alice', t.clock.now)).toEqual([]);
  });

  test('an attempt the server could not judge (argon2 busy, 503) is given back', async () => {
    jest.spyOn(t.deps.passwords, 'verify').mockRejectedValueOnce(new PasswordHasherBusy());
    const res = await login(t, 'alice', 'a wrong one');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).toEqual({
      msg: 'too many password checks are in progress; try again shortly',
      data: null,
      error: 'service_unavailable',
    });
    expect(await t.deps.throttle.failures('account', 'alice')).toBe(0);
    expect(await t.deps.throttle.failures('address', '127.0.0.1')).toBe(0);
  });

  test('a right password counts as a success even when the login fails after the check (503 from the rehash)', async () => {
    await fail(t, 3);
    jest.spyOn(t.deps.passwords, 'needsRehash').mockReturnValueOnce(true);
    jest.spyOn(t.store, 'rehashPassword').mockRejectedValueOnce(new StoreUnavailableError('redis is down'));
    const res = await login(t, 'alice', PASSWORD);
    expect(res.status).toBe(503);
    expect(await t.deps.throttle.failures('account', 'alice')).toBe(0);
    expect(await t.deps.throttle.failures('address', '127.0.0.1')).toBe(3);
    expect(await t.store.listSessions('alice', t.clock.now)).toEqual([]);
  });

  test('a failed reset of the count does not refuse a right password, nor leave a session behind a 503', async () => {
    await fail(t, 2);
    jest.spyOn(t.deps.throttle, 'succeeded').mockRejectedValueOnce(new StoreUnavailableError('redis is down'));
    const res = await login(t, 'alice', PASSWORD);
    expect(res.status).toBe(200);
    const sessions = await t.store.listSessions('alice', t.clock.now);
    expect(sessions).toHaveLength(1);
    expect(t.logs.join('')).toContain('"event":"throttle_reset_failed"');
    // The reset did not happen: the count stays as it was after this attempt.
    expect(await t.deps.throttle.failures('account', 'alice')).toBe(3);
  });

  test('an attempt whose user lookup failed (store down, 503) is given back and checks no password', async () => {
    await fail(t, 3);
    jest.spyOn(t.store, 'findUser').mockRejectedValueOnce(new StoreUnavailableError('redis is down'));
    const verify = jest.spyOn(t.deps.passwords, 'verify');
    const verifyNothing = jest.spyOn(t.deps.passwords, 'verifyNothing');
    const res = await login(t, 'alice', 'a wrong one');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(verify).not.toHaveBeenCalled();
    expect(verifyNothing).not.toHaveBeenCalled();
    expect(await t.deps.throttle.failures('account', 'alice')).toBe(3);
    expect(await t.deps.throttle.failures('address', '127.0.0.1')).toBe(3);
  });
});

describe.each(storeKinds)('login throttling per address (%s store)', (kind) => {
  test('50 failures from one address lock that address for every name, not other addresses', async () => {
    const t = await createTestApp(kind, { TRUST_PROXY: 'true', LOGIN_FAILURES_PER_ACCOUNT: '1000' });
    for (let i = 0; i < 50; i += 1) await login(t, `user${i % 7}`, 'not the password', '203.0.113.9').expect(401);
    expect(await t.deps.throttle.failures('address', '203.0.113.9')).toBe(50);
    expect((await login(t, 'someone-new', 'not the password', '203.0.113.9')).status).toBe(429);
    expect((await login(t, 'someone-new', 'not the password', '203.0.113.10')).status).toBe(401);
    // Only the address our proxy appended counts; what the client put before it does not.
    expect((await login(t, 'someone-new', 'not the password', '198.51.100.1, 203.0.113.9')).status).toBe(429);
    await t.close();
  });

  test('IPv6 clients are counted by their /64, IPv4-mapped ones by their IPv4 address', async () => {
    const t = await createTestApp(kind, { TRUST_PROXY: 'true', LOGIN_FAILURES_PER_ADDRESS: '3' });
    await fail(t, 1, 'a', '2001:db8:1:2::1');
    await fail(t, 1, 'b', '2001:db8:1:2:ffff::9');
    await fail(t, 1, 'c', '2001:0db8:0001:0002:0000:0000:0000:0042');
    expect((await login(t, 'd', 'not the password', '2001:db8:1:2::77')).status).toBe(429);
    expect((await login(t, 'd', 'not the password', '2001:db8:1:3::1')).status).toBe(401);
    await fail(t, 3, 'e', '::ffff:192.0.2.1');
    expect((await login(t, 'f', 'not the password', '192.0.2.1')).status).toBe(429);
    await t.close();
  });
});

describe('the end of the failure window lifts the lock', () => {
  let afterCleanup = () => {};
  afterEach(() => {
    jest.useRealTimers();
    afterCleanup();
  });

  test('memory store: an injected clock (jest fake timers) moved past 15 minutes', async () => {
    // Only Date and timers are faked: rate-limiter-flexible reads Date.now() and expires its
    // records with setTimeout; I/O callbacks keep running for real.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'hrtime', 'performance'] });
    const t = await createTestApp('memory');
    await t.request().post('/register/').send({ username: 'alice', password: PASSWORD }).expect(201);
    await fail(t, 10);
    jest.advanceTimersByTime(899_000);
    expect((await login(t, 'alice', PASSWORD)).status).toBe(429);
    jest.advanceTimersByTime(1_000);
    await login(t, 'alice', PASSWORD).expect(200);
    expect(await t.deps.throttle.failures('account', 'alice')).toBe(0);
    await t.close();
  });

  test(
    'redis store: the counters are keys whose TTL is the window; when it runs out the lock is gone',
    async () => {
      // Redis expires keys by its own clock, which a test cannot move; it can end the window the
      // way Redis would, by expiring the keys, after checking that their TTL is the window.
      const t = await createTestApp('redis');
      const redis = await testRedisClient();
      afterCleanup = () => redis.disconnect();
      await t.request().post('/register/').send({ username: 'alice', password: PASSWORD }).expect(201);
      await fail(t, 10);
      expect((await login(t, 'alice', PASSWORD)).status).toBe(429);
      const keys = (await keysUnder(redis, t.prefix!)).filter((k) => k.includes('login-failures'));
      expect(keys).toEqual([`${t.prefix}login-failures:account:alice`, `${t.prefix}login-failures:address:127.0.0.1`]);
      for (const key of keys) {
        const ttl = await redis.pttl(key);
        expect(ttl).toBeGreaterThan(890_000);
        expect(ttl).toBeLessThanOrEqual(900_000);
        await redis.pexpire(key, 1);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
      await login(t, 'alice', PASSWORD).expect(200);
      await t.close();
    },
  );
});

test('a throttle whose store fails gives 503 with Retry-After, and no password is checked', async () => {
  const t = await createTestApp('memory');
  const verifyNothing = jest.spyOn(t.deps.passwords, 'verifyNothing');
  const app = createApp({
    ...t.deps,
    throttle: { ...t.deps.throttle, begin: () => Promise.reject(new StoreUnavailableError('redis is down')) },
  });
  const res = await supertest(app.callback()).post('/login/').set('Authorization', basic('alice', 'anything at all'));
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toBe('1');
  expect(verifyNothing).not.toHaveBeenCalled();
  await t.close();
});
