import type { Redis } from 'ioredis';
import { RedisStore } from '../../src/store/redis-store';
import { redisClientFor, uniquePrefix } from '../helpers/redis';
import { describeWithRedisServer } from '../helpers/redis-server';
import { startRedisSentinel, type RedisSentinelSetup } from '../helpers/redis-sentinel';
import { storeContract } from './store.contract';

/**
 * The Store contract against a Sentinel-managed master (one master, one replica, one Sentinel),
 * through gatehouse's own Sentinel connection (REDIS_SENTINELS + REDIS_SENTINEL_NAME).
 */
describeWithRedisServer('RedisStore through Redis Sentinel', () => {
  let setup: RedisSentinelSetup;
  let redis: Redis;
  beforeAll(async () => {
    setup = await startRedisSentinel({ replicas: 1, sentinels: 1 });
    redis = (await redisClientFor(setup.env)) as Redis;
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await setup?.stop();
  });

  storeContract('redis sentinel', {
    create: async () => new RedisStore(redis, uniquePrefix('sentinel')),
    destroy: async () => {},
  });

  test('the client the Sentinel points to is the master, and the replica receives its writes', async () => {
    const [master, replica] = setup.servers;
    expect(await setup.currentMaster()).toBe(master);
    expect(Number(await redis.config('GET', 'port').then((r) => (r as string[])[1]))).toBe(master!.port);
    const prefix = uniquePrefix('replicated');
    const store = new RedisStore(redis, prefix);
    const now = Date.now();
    await store.createUser({ username: 'rita', passwordHash: 'h', firstName: 'Rita', lastName: null, createdAt: now });
    // WAIT: the write has reached the replica; then the replica holds the same user record.
    expect(await redis.wait(1, 5000)).toBe(1);
    expect((await replica!.cli('hget', `${prefix}{rita}:user`, 'first_name')).trim()).toBe('Rita');
  });
});
