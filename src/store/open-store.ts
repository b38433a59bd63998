import type { Logger } from 'pino';
import type { Config } from '../config/load';
import { memoryLoginThrottle, throttleLimits, type LoginThrottle } from '../throttle/login-throttle';
import { MemoryStore } from './memory-store';
import type { StoreSafety } from './redis-safety';
import type { Store } from './store';

/** The store with what lives beside it: the login counters and the safety check for readiness. */
export interface Backend {
  readonly store: Store;
  readonly throttle: LoginThrottle;
  /** Rejects with StoreUnavailableError when the store does not answer. */
  readonly safety: () => Promise<StoreSafety>;
}

/**
 * Opens the configured store. With Redis, the store and the login counters share one fail-fast
 * connection; its durability is checked now (when Redis answers) and on every readiness probe.
 * With REDIS_DURABILITY=require an unsafe Redis stops the start with a ConfigError.
 */
export async function openBackend(config: Config, log: Logger, clock: () => number): Promise<Backend> {
  const limits = throttleLimits(config);
  if (config.STORE === 'memory') {
    log.warn({ event: 'memory_store' }, 'STORE=memory: users and sessions are lost when the process stops');
    return {
      store: new MemoryStore({ clock }),
      throttle: memoryLoginThrottle(limits),
      safety: async () => ({ unsafe: [], notes: [] }),
    };
  }
  // Loaded only for the Redis store: evaluating ioredis is a good part of start-up time.
  const { openRedisBackend } = await import('./open-redis-backend');
  return openRedisBackend(config, log, limits);
}
