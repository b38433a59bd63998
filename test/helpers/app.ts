import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import type Koa from 'koa';
import supertest from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config/load';
import type { AppDeps } from '../../src/deps';
import type { AppState } from '../../src/http/state';
import { buildDeps } from '../../src/build-deps';
import { createLogger } from '../../src/log';
import { createMetrics } from '../../src/metrics';
import { MemoryStore } from '../../src/store/memory-store';
import { RedisStore } from '../../src/store/redis-store';
import type { Store } from '../../src/store/store';
import { memoryLoginThrottle, redisLoginThrottle, throttleLimits, type LoginThrottle } from '../../src/throttle/login-throttle';
import { generateLocalKey } from '../../src/tokens/paserk';
import { checkedStore } from './checked-store';
import { checkedCallback } from './openapi-recorder';
import { deleteKeysUnder, testRedisClient, uniquePrefix } from './redis';

export type StoreKind = 'memory' | 'redis';

/** The stores HTTP tests run against. */
export const storeKinds: StoreKind[] = ['memory', 'redis'];

/** A clock the test moves by hand; starts at the real time because Redis expires by its own. */
export interface TestClock {
  now: number;
  advance(seconds: number): void;
}

export interface TestApp {
  app: Koa<AppState>;
  deps: AppDeps;
  /** The Redis key prefix of this app (null for the memory store). */
  prefix: string | null;
  /** The store without the contract checks, to inspect state after a call. */
  store: Store;
  clock: TestClock;
  /** Every log line written so far, as text. */
  logs: string[];
  request: () => supertest.Agent;
  close(): Promise<void>;
}

let sharedRedis: Promise<Redis> | undefined;
const prefixes: string[] = [];

afterAll(async () => {
  if (sharedRedis === undefined) return;
  const redis = await sharedRedis;
  for (const prefix of prefixes.splice(0)) await deleteKeysUnder(redis, prefix);
  redis.disconnect();
  sharedRedis = undefined;
});

/** Settings for tests: cheap argon2 (the real parameters are tested where they matter). */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ env: { ARGON2_MEMORY_KIB: '8192', ARGON2_ITERATIONS: '1', ...env } });
}

export async function createTestApp(kind: StoreKind, env: Record<string, string> = {}): Promise<TestApp> {
  const config = testConfig(env);
  const clock: TestClock = {
    now: Date.now(),
    advance(seconds) {
      this.now += seconds * 1000;
    },
  };
  let store: Store;
  let throttle: LoginThrottle;
  let prefix: string | null = null;
  if (kind === 'memory') {
    store = new MemoryStore({ clock: () => clock.now });
    throttle = memoryLoginThrottle(throttleLimits(config));
  } else {
    sharedRedis ??= testRedisClient();
    prefix = uniquePrefix('http');
    prefixes.push(prefix);
    store = new RedisStore(await sharedRedis, prefix);
    throttle = redisLoginThrottle(await sharedRedis, prefix, throttleLimits(config));
  }
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  const keys = config.TOKEN_KEYS.length > 0 ? config.TOKEN_KEYS : [generateLocalKey()];
  const deps = buildDeps({
    config,
    store: checkedStore(store),
    clock: () => clock.now,
    log: createLogger('debug', sink),
    throttle,
    storeSafety: async () => ({ unsafe: [], notes: [] }),
    keys,
    // Without the process collectors: many apps per test file, one set of process metrics.
    metrics: createMetrics({ collectDefaults: false }),
  });
  const app = createApp(deps);
  // Every response of the HTTP tests must match the OpenAPI document the app serves.
  const callback = checkedCallback(app.callback(), deps);
  return {
    app,
    deps,
    prefix,
    store,
    clock,
    logs,
    request: () => supertest.agent(callback),
    // A Redis store shares the suite's connection, which afterAll closes.
    close: async () => (kind === 'memory' ? store.close() : undefined),
  };
}

export const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

/** Registers a user (JSON) and returns a token from /login/. */
export async function registerAndLogin(
  t: TestApp,
  username = 'alice',
  password = 'correct horse battery',
  names: { first_name?: string; last_name?: string } = { first_name: 'Alice', last_name: 'Liddell' },
): Promise<string> {
  await t.request().post('/register/').send({ username, password, ...names }).expect(201);
  const res = await t.request().post('/login/').set('Authorization', basic(username, password)).expect(200);
  return res.body.data.auth_token as string;
}

/** Logs in with HTTP Basic and returns the new token (the user must exist). */
export async function login(t: TestApp, username = 'alice', password = 'correct horse battery', userAgent?: string): Promise<string> {
  const req = t.request().post('/login/').set('Authorization', basic(username, password));
  if (userAgent !== undefined) req.set('User-Agent', userAgent);
  const res = await req.expect(200);
  return res.body.data.auth_token as string;
}

/** Whether `token` passes the bearer check now (asked through /auth/verify). */
export async function isLive(t: TestApp, token: string): Promise<boolean> {
  const res = await t.request().get('/auth/verify').set('Authorization', `Bearer ${token}`);
  return res.status === 200;
}
