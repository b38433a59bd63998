import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/load';
import { connectRedis, createRedisClient, whenReady } from '../../src/store/redis-connection';
import type { RedisClient } from '../../src/store/redis-store';
import { redisTarget } from '../../src/store/redis-target';
import { generateLocalKey } from '../../src/tokens/paserk';
import { missingRedis } from './prerequisite';

/** Set by the caller or by the global setup (a private redis-server). */
export const redisUrl: string = process.env.REDIS_URL ?? missingRedis();

/** A key prefix no other test run uses; the shared Redis is never flushed. */
export function uniquePrefix(name: string): string {
  return `gatehouse-test:${name}:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

/** A client for the test Redis, ready to use. Generous deadline: test machines are busy. */
export async function testRedisClient(): Promise<Redis> {
  const redis = createRedisClient(redisUrl, { commandTimeout: 5000 });
  await whenReady(redis, 5000);
  return redis;
}

/**
 * A ready client for the Redis that `env` describes (setting names to values, e.g.
 * REDIS_CLUSTER_NODES), made by gatehouse's own config and connection code.
 */
export async function redisClientFor(env: Record<string, string>): Promise<RedisClient> {
  const redis = connectRedis(redisTarget(loadConfig({ env }), { commandTimeout: 5000 }));
  // Connection problems surface as rejected commands; the events would only be noise here.
  redis.on('error', () => {});
  redis.on('node error', () => {});
  await whenReady(redis, 10_000);
  return redis;
}

/** Every key under `prefix`. */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

/** Deletes this test's keys (and only them). */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  if (keys.length > 0) await redis.del(...keys);
}

/** Deletes the keys under `prefix` with a client of its own: for tests that only hand a prefix to a gatehouse process. */
export async function cleanUpPrefix(prefix: string): Promise<void> {
  const redis = await testRedisClient();
  try {
    await deleteKeysUnder(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/**
 * The stores an end-to-end test runs gatehouse on, as [label, settings] for describe.each: the
 * memory store, and the test Redis under a fresh REDIS_PREFIX (for cleanUpPrefix) with a fresh key.
 */
export function storeSettings(name: string): [string, () => Record<string, string>][] {
  return [
    ['memory store', () => ({ STORE: 'memory' })],
    ['redis store', () => ({ STORE: 'redis', REDIS_URL: redisUrl, REDIS_PREFIX: uniquePrefix(name), TOKEN_KEYS: generateLocalKey() })],
  ];
}
