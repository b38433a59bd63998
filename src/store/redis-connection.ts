import { Redis, type RedisOptions } from 'ioredis';

/**
 * ioredis options that make a Redis problem a fast, clean failure instead of a hang: commands
 * are not queued while disconnected, a command gets at most one retry and a deadline, and
 * commands in flight when the connection dropped are not re-sent after it comes back (the
 * request that sent them has already been answered 503 and must not write later).
 */
export const failFastOptions: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 300,
  connectTimeout: 1000,
  autoResendUnfulfilledCommands: false,
  enableAutoPipelining: true,
  // Keep reconnecting for as long as the process lives, backing off to one attempt a second.
  retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
};

/** A client for REDIS_URL (redis:// or rediss:// for TLS; user and password in the URL for ACLs). */
export function createRedisClient(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { ...failFastOptions, ...options });
}

/** Resolves when the client is connected and ready, or rejects after `timeoutMs`. */
export function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`redis did not become ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
