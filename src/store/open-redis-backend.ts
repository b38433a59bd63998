import type { Logger } from 'pino';
import { ConfigError, type Config } from '../config/load';
import { redisLoginThrottle, type ThrottleLimits } from '../throttle/login-throttle';
import type { Backend } from './open-store';
import { connectRedis, whenReady } from './redis-connection';
import { checkRedisSafety } from './redis-safety';
import { defaultWriteBudget, RedisStore } from './redis-store';
import { describeRedisTarget, redisTarget } from './redis-target';

/**
 * The Redis backend: the store and the login counters share one fail-fast connection; its
 * durability is checked now (when Redis answers) and on every readiness probe. With
 * REDIS_DURABILITY=require an unsafe Redis stops the start with a ConfigError.
 */
export async function openRedisBackend(config: Config, log: Logger, limits: ThrottleLimits): Promise<Backend> {
  const where = describeRedisTarget(config);
  log.info({ event: 'redis_connecting', redis: where }, `connecting to ${where}`);
  const redis = connectRedis(redisTarget(config, { connectionName: 'gatehouse' }));
  // A Cluster reports the problems of its node connections as 'node error'.
  for (const event of ['error', 'node error']) {
    redis.on(event, (err: Error) => log.warn({ event: 'redis_error', err: err.message }, 'redis connection problem'));
  }
  const budget = defaultWriteBudget(redis);
  const backend: Backend = {
    store: new RedisStore(redis, config.REDIS_PREFIX, { writeBudgetMs: budget }),
    throttle: redisLoginThrottle(redis, config.REDIS_PREFIX, limits),
    safety: () => checkRedisSafety(redis, budget),
  };
  try {
    await whenReady(redis, 5_000);
  } catch (err) {
    // Serve anyway: requests get 503 until Redis answers, and ioredis keeps reconnecting.
    log.error({ event: 'redis_unavailable', err: (err as Error).message }, 'redis is not reachable yet; retrying');
    return backend;
  }
  const { unsafe, notes } = await backend.safety().catch(() => ({ unsafe: [], notes: [] }));
  for (const note of notes) log.warn({ event: 'redis_clock' }, note);
  if (unsafe.length > 0 && config.REDIS_DURABILITY === 'require') {
    redis.disconnect();
    throw new ConfigError(unsafe.map((problem) => `REDIS_DURABILITY: require, but ${problem}`));
  }
  for (const problem of unsafe) log.warn({ event: 'redis_not_durable' }, problem);
  return backend;
}
