import type { Config } from '../config/load';
import type { Store } from '../store/store';

/** The configured store cannot serve an admin command; the message says why. */
export class AdminStoreError extends Error {
  override readonly name = 'AdminStoreError';
}

/**
 * Opens the configured store for `gatehouse user …`. Only Redis makes sense: a memory store
 * lives inside one server process, and a user added to a new, empty one would vanish when this
 * command exits. Fails fast (5 s) when Redis does not answer.
 */
export async function openAdminStore(config: Config): Promise<Store> {
  if (config.STORE !== 'redis') {
    throw new AdminStoreError(
      'user commands need STORE=redis: the memory store lives inside one server process, so a user ' +
        'changed here would be lost when this command exits',
    );
  }
  // Loaded here, not at start-up: see openBackend in open-store.ts.
  const { connectRedis, whenReady } = await import('../store/redis-connection');
  const { RedisStore } = await import('../store/redis-store');
  const { describeRedisTarget, redisTarget } = await import('../store/redis-target');
  const redis = connectRedis(redisTarget(config, { commandTimeout: 5_000 }));
  const ignore = () => {
    // Reported below by whenReady; ioredis would otherwise print unhandled error events.
  };
  redis.on('error', ignore);
  redis.on('node error', ignore);
  try {
    await whenReady(redis, 5_000);
  } catch {
    redis.disconnect();
    throw new AdminStoreError(`cannot reach Redis at ${describeRedisTarget(config)}`);
  }
  return new RedisStore(redis, config.REDIS_PREFIX);
}
