import type { Redis } from 'ioredis';
import { createRedisClient } from '../../src/store/redis-connection';
import { defaultWriteBudget, RedisStore } from '../../src/store/redis-store';
import { StoreUnavailableError } from '../../src/store/store';
import { freePort } from '../helpers/redis-server';
import { deleteKeysUnder, keysUnder, testRedisClient, uniquePrefix } from '../helpers/redis';
import { storeContract } from './store.contract';

describe('RedisStore', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  beforeAll(async () => {
    redis = await testRedisClient();
  });
  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  storeContract('redis', {
    create: async () => {
      const prefix = uniquePrefix('contract');
      prefixes.push(prefix);
      return new RedisStore(redis, prefix);
    },
    // The connection is shared by the suite; closing the store would quit it.
    destroy: async () => {},
  });

  const now = Math.floor(Date.now() / 1000) * 1000;
  const generationOf = async (store: RedisStore, username: string) => (await store.findUser(username))!.generation;
  const user = (username: string) => ({ username, passwordHash: 'h', firstName: 'A', lastName: null, createdAt: now });
  const session = (username: string, jti: string, expiresAt: number) => ({
    jti,
    username,
    issuedAt: now,
    expiresAt,
    userAgent: null,
    address: null,
  });

  test('keeps every key under its prefix, with the username as a Cluster hash tag', async () => {
    const prefix = uniquePrefix('layout');
    prefixes.push(prefix);
    const store = new RedisStore(redis, prefix);
    await store.createUser(user('alice'));
    await store.createSession(session('alice', 'a'.repeat(22), now + 60_000), await generationOf(store, 'alice'), 10);
    expect(await keysUnder(redis, prefix)).toEqual([
      `${prefix}{alice}:session`,
      `${prefix}{alice}:sessions`,
      `${prefix}{alice}:user`,
    ]);
  });

  test('session keys expire with the last session, so nothing outlives its tokens', async () => {
    const prefix = uniquePrefix('ttl');
    prefixes.push(prefix);
    const store = new RedisStore(redis, prefix);
    await store.createUser(user('bob'));
    await store.createSession(session('bob', 'b'.repeat(22), now + 60_000), await generationOf(store, 'bob'), 10);
    await store.createSession(session('bob', 'c'.repeat(22), now + 120_000), await generationOf(store, 'bob'), 10);
    expect(await redis.pexpiretime(`${prefix}{bob}:sessions`)).toBe(now + 120_000);
    expect(await redis.pexpiretime(`${prefix}{bob}:session`)).toBe(now + 120_000);
    // The user record itself does not expire.
    expect(await redis.pttl(`${prefix}{bob}:user`)).toBe(-1);

    await store.revokeSessions('bob', null, now);
    expect(await keysUnder(redis, prefix)).toEqual([`${prefix}{bob}:user`]);
  });

  test('expired sessions are pruned from the index by the next login', async () => {
    const prefix = uniquePrefix('prune');
    prefixes.push(prefix);
    const store = new RedisStore(redis, prefix);
    await store.createUser(user('carol'));
    await store.createSession(session('carol', 'd'.repeat(22), now + 60_000), await generationOf(store, 'carol'), 10);
    await store.createSession({ ...session('carol', 'e'.repeat(22), now + 180_000), issuedAt: now + 120_000 }, await generationOf(store, 'carol'), 10);
    expect(await redis.zrange(`${prefix}{carol}:sessions`, '0', '-1')).toEqual(['e'.repeat(22)]);
    expect(await redis.hkeys(`${prefix}{carol}:session`)).toEqual(['e'.repeat(22)]);
  });

  // A bearer check reads only the session record (one HGET); revocation walks the index. A key
  // lost on its own (evicted under a volatile-* maxmemory-policy, or deleted by hand) must not
  // leave a token that logging out reports as ended but that still passes.
  describe('when a session or user key was lost on its own', () => {
    const [A, B, C] = ['A'.repeat(22), 'B'.repeat(22), 'C'.repeat(22)];
    let store: RedisStore;
    let prefix: string;
    beforeEach(async () => {
      prefix = uniquePrefix('diverged');
      prefixes.push(prefix);
      store = new RedisStore(redis, prefix);
      await store.createUser(user('dave'));
      for (const jti of [A, B, C]) await store.createSession(session('dave', jti, now + 60_000), await generationOf(store, 'dave'), 10);
      // The index is gone; the records, which bearer checks read, are not.
      await redis.del(`${prefix}{dave}:sessions`);
      expect(await store.authenticate('dave', A, now)).not.toBeNull();
    });

    test('revoking one session ends its record, and says it was live', async () => {
      expect(await store.revokeSession('dave', A, now)).toBe(true);
      expect(await store.authenticate('dave', A, now)).toBeNull();
      expect(await store.revokeSession('dave', A, now)).toBe(false);
    });

    test('revoking an unknown session repairs the index with the records\' expiry, so both keys still expire', async () => {
      expect(await store.revokeSession('dave', 'Z'.repeat(22), now)).toBe(false);
      expect(await redis.zrange(`${prefix}{dave}:sessions`, '0', '-1')).toEqual([A, B, C]);
      for (const key of ['sessions', 'session']) expect(await redis.pexpiretime(`${prefix}{dave}:${key}`)).toBe(now + 60_000);
    });

    test('listing shows every live record, and no expired one', async () => {
      await store.createSession({ ...session('dave', 'D'.repeat(22), now + 30_000), issuedAt: now - 1000 }, await generationOf(store, 'dave'), 10);
      await redis.del(`${prefix}{dave}:sessions`);
      expect((await store.listSessions('dave', now)).map((s) => s.jti)).toEqual(['D'.repeat(22), A, B, C]);
      expect((await store.listSessions('dave', now + 40_000)).map((s) => s.jti)).toEqual([A, B, C]);
    });

    test('a login counts every live record against the session limit', async () => {
      await store.createSession(session('dave', 'D'.repeat(22), now + 120_000), await generationOf(store, 'dave'), 2);
      const live = [];
      for (const jti of [A, B, C, 'D'.repeat(22)]) if (await store.authenticate('dave', jti, now)) live.push(jti);
      expect(live).toHaveLength(2);
      expect(live).toContain('D'.repeat(22));
      expect(await redis.hlen(`${prefix}{dave}:session`)).toBe(2);
    });

    test('revoking the other sessions ends every other record, and keeps the current one', async () => {
      expect(await store.revokeSessions('dave', A, now)).toBe(2);
      expect(await redis.hkeys(`${prefix}{dave}:session`)).toEqual([A]);
      expect(await store.authenticate('dave', A, now)).not.toBeNull();
      for (const jti of [B, C]) expect(await store.authenticate('dave', jti, now)).toBeNull();
    });

    test('a password change ends every other record', async () => {
      expect(await store.changePassword('dave', await generationOf(store, 'dave'), 'h2', B)).toBe(true);
      expect(await redis.hkeys(`${prefix}{dave}:session`)).toEqual([B]);
      for (const jti of [A, C]) expect(await store.authenticate('dave', jti, now)).toBeNull();
    });

    test('a new user of a name whose user key was lost does not take over its sessions', async () => {
      await redis.del(`${prefix}{dave}:user`);
      expect(await store.createUser({ ...user('dave'), firstName: 'New' })).toBe(true);
      for (const jti of [A, B, C]) expect(await store.authenticate('dave', jti, now)).toBeNull();
      expect(await keysUnder(redis, prefix)).toEqual([`${prefix}{dave}:user`]);
    });
  });

  test('every write carries a deadline that Redis checks by its own clock: late writes are refused', async () => {
    const prefix = uniquePrefix('deadline');
    prefixes.push(prefix);
    const at = (shift: number) => new RedisStore(redis, prefix, { writeBudgetMs: 150, now: () => Date.now() + shift });
    // Clocks 100 ms apart either way are within the 150 ms budget.
    expect(await at(100).createUser(user('ahead'))).toBe(true);
    expect(await at(-100).createUser(user('behind'))).toBe(true);
    // To a Redis whose clock reads a second later, the deadline has long passed: nothing is written.
    await expect(at(-1000).createUser(user('late'))).rejects.toMatchObject({
      name: 'StoreUnavailableError',
      message: 'redis createUser failed: LATE gatehouse write refused: its deadline had passed',
    });
    await expect(at(-1000).revokeSessions('ahead', null, now)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await keysUnder(redis, prefix)).toEqual([`${prefix}{ahead}:user`, `${prefix}{behind}:user`]);
  });

  test('by default the write budget is half the command timeout of the connection', () => {
    expect(defaultWriteBudget(createRedisClient('redis://127.0.0.1:1', { lazyConnect: true }))).toBe(150);
    expect(defaultWriteBudget(redis)).toBe(2500);
  });

  test('a key of the wrong type is corrupt data, not an outage: a plain error (500), not StoreUnavailableError', async () => {
    const prefix = uniquePrefix('wrongtype');
    prefixes.push(prefix);
    await redis.set(`${prefix}{eve}:user`, 'not a hash');
    const error = await new RedisStore(redis, prefix).findUser('eve').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/^redis findUser failed: WRONGTYPE/);
  });

  test('a Redis that does not answer makes every method reject with StoreUnavailableError', async () => {
    const closed = createRedisClient(`redis://127.0.0.1:${await freePort()}`, { retryStrategy: () => null });
    closed.on('error', () => {});
    const store = new RedisStore(closed, 'x:');
    await expect(store.findUser('alice')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.authenticate('alice', 'f'.repeat(22), now)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    closed.disconnect();
  });
});
