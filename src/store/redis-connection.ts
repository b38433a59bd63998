import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { BatchedRedis } from './batched-redis';
import type { RedisClient } from './redis-store';
import type { RedisTarget } from './redis-target';

// Keep reconnecting for as long as the process lives, backing off to one attempt a second.
const reconnectDelay = (attempt: number) => Math.min(attempt * 100, 1000);

/**
 * ioredis options that make a Redis problem a fast, clean failure instead of a hang: commands
 * are not queued while disconnected, a command gets at most one retry and a deadline, and
 * commands in flight when the connection dropped are not re-sent after it comes back (the
 * request that sent them has already been answered 503 and must not write later). Commands
 * are batched per event-loop turn by BatchedRedis, not by ioredis's auto-pipelining.
 */
export const failFastOptions: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 300,
  connectTimeout: 1000,
  autoResendUnfulfilledCommands: false,
  retryStrategy: reconnectDelay,
};

/**
 * The same policy for a Redis Cluster client, whose options differ:
 * - The Cluster has its own offline queue and reconnect strategy; its node connections always
 *   queue (ioredis forces it) but are only used once connected, and never reconnect themselves:
 *   a lost node is found again through the slot map.
 * - MOVED and ASK (the command did not run; the slot lives elsewhere) are followed at once.
 *   TRYAGAIN (a multi-key command during resharding, not run) is retried briefly, so that all
 *   tries fit inside one command deadline and none is sent after the request was answered.
 * - CLUSTERDOWN (no master for the slot: a failover is under way) fails at once: 503.
 * - A command whose connection closed may or may not have run; it is not re-sent (a retried
 *   registration would answer its own author "already exists"). The request gets 503.
 * - Reads go to masters only: a replica may not have seen a logout yet.
 */
export const failFastClusterOptions: ClusterOptions & { redisOptions: NonNullable<ClusterOptions['redisOptions']> } = {
  enableOfflineQueue: false,
  // Commands for the same node are sent together, as BatchedRedis does for one server.
  enableAutoPipelining: true,
  clusterRetryStrategy: reconnectDelay,
  scaleReads: 'master',
  maxRedirections: 5,
  retryDelayOnMoved: 0,
  retryDelayOnTryAgain: 40,
  retryDelayOnClusterDown: 0,
  retryDelayOnFailover: 0,
  // Notice a failover (new masters) within a second or two even when no MOVED says so.
  slotsRefreshInterval: 2000,
  slotsRefreshTimeout: 1000,
  redisOptions: {
    maxRetriesPerRequest: 1,
    commandTimeout: 300,
    connectTimeout: 1000,
    autoResendUnfulfilledCommands: false,
  },
};

/** A client for REDIS_URL (redis:// or rediss:// for TLS; user and password in the URL for ACLs). */
export function createRedisClient(url: string, options: RedisOptions = {}): Redis {
  return new BatchedRedis(url, { ...failFastOptions, ...options });
}

/** A client for `target`: a single server, a Sentinel-managed master or a Cluster. */
export function connectRedis(target: RedisTarget): RedisClient {
  switch (target.mode) {
    case 'standalone':
      return new BatchedRedis(target.url, target.options);
    case 'sentinel':
      return new BatchedRedis(target.options);
    case 'cluster': {
      const cluster = new Cluster(
        target.nodes.map(({ host, port }) => ({ host, port })),
        target.options,
      );
      // ioredis connects to a node on its first command, and without an offline queue the
      // commands that arrive while that connection is being made fail. Connect to every node
      // as soon as the slot map names it instead, so that requests find it ready.
      cluster.on('+node', (node: Redis) => {
        if (node.status === 'wait') node.connect().catch(() => {});
      });
      return cluster;
    }
  }
}

/**
 * Resolves when the client is connected and ready (for a Cluster: and its connection to every
 * master too), or rejects after `timeoutMs`.
 */
export async function whenReady(redis: RedisClient, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await onceReady(redis, timeoutMs);
  if (redis instanceof Cluster) {
    await Promise.all(redis.nodes('master').map((node) => onceReady(node, Math.max(0, deadline - Date.now()))));
  }
}

function onceReady(redis: RedisClient, timeoutMs: number): Promise<void> {
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
