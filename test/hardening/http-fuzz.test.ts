import type { Server } from 'node:http';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { createApp } from '../../src/app';
import { createHttpServer } from '../../src/http/node-server';
import { createRedisClient, whenReady } from '../../src/store/redis-connection';
import { RedisStore } from '../../src/store/redis-store';
import type { Store } from '../../src/store/store';
import { redisLoginThrottle, throttleLimits } from '../../src/throttle/login-throttle';
import { basic, createTestApp, type TestApp } from '../helpers/app';
import { bearerInputs, bodyInputs, loginInputs, protocolInputs, toBytes, type RawInput } from '../helpers/fuzz-inputs';
import { listen, rawRequest, type RawResponse } from '../helpers/raw-http';
import { keysUnder } from '../helpers/redis';
import { describeWithRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server';

jest.setTimeout(300_000);

/** Inputs per category for the memory store; the Redis store gets a quarter as many. */
const RUNS = { login: 2500, bearer: 2000, body: 3500, protocol: 2000 };
const tally = { inputs: 0, byStatus: {} as Record<number, number>, created: 0, succeeded: [] as string[] };

/**
 * Property-based fuzzing of the whole HTTP surface over a real socket, with the production
 * server settings (header limit, timeouts, client-error envelope). For every generated request:
 * no 5xx, the process keeps serving, every error is a 4xx in the JSON envelope with an error
 * code and the security headers, and the store is exactly as before unless the request was a
 * valid registration (201).
 */
interface Target {
  t: TestApp;
  server: Server;
  port: number;
  token: string;
  snapshot(): Promise<string>;
  close(): Promise<void>;
}

/** A store that remembers every username it was asked about, so a snapshot can cover them all. */
function recording(store: Store, names: Set<string>): Store {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const first = args[0] as string | { username?: string };
        const username = typeof first === 'string' ? first : first?.username;
        if (typeof username === 'string') names.add(username);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

async function target(kind: 'memory' | { redis: Redis }): Promise<Target> {
  const t = await createTestApp('memory', { LOGIN_FAILURES_PER_ACCOUNT: '1000000', LOGIN_FAILURES_PER_ADDRESS: '1000000' });
  const names = new Set<string>(['alice']);
  let store: Store = t.store;
  let deps = t.deps;
  if (kind !== 'memory') {
    store = new RedisStore(kind.redis, 'fuzz:');
    deps = { ...t.deps, store, throttle: redisLoginThrottle(kind.redis, 'fuzz:', throttleLimits(t.deps.config)) };
  }
  const app = createApp({ ...deps, store: recording(deps.store, names) });
  const server = createHttpServer(t.deps.config, app.callback(), t.deps.log);
  const port = await listen(server);
  // alice has a password no generator produces, and one live token.
  const password = `${Math.random().toString(36)}-${Date.now()}-unguessable`;
  const created = await rawRequest(port, toBytes({ method: 'POST', path: '/register/', headers: [['Content-Type', 'application/json']], body: Buffer.from(JSON.stringify({ username: 'alice', password })) }));
  expect(created.status).toBe(201);
  const login = await rawRequest(port, toBytes({ method: 'POST', path: '/login/', headers: [['Authorization', basic('alice', password)]] }));
  const token = JSON.parse(login.body).data.auth_token as string;

  const snapshot = async () => {
    const now = Date.now();
    const users = [];
    for (const name of [...names].sort()) {
      if (!/^[a-z0-9._@-]{1,64}$/.test(name)) continue;
      const [user, sessions] = [await store.findUser(name), await store.listSessions(name, now)];
      // A name that was only looked up left nothing behind.
      if (user !== null || sessions.length > 0) users.push([name, user, sessions]);
    }
    if (kind === 'memory') return JSON.stringify(users);
    // On Redis, every key but the login counters (which count failures, as they should).
    const keys = (await keysUnder(kind.redis, 'fuzz:')).filter((k) => !k.includes('login-failures'));
    const values = [];
    for (const key of keys) {
      const type = await kind.redis.type(key);
      values.push([key, type === 'hash' ? await kind.redis.hgetall(key) : await kind.redis.zrange(key, '0', '-1', 'WITHSCORES')]);
    }
    return JSON.stringify([users, values]);
  };
  return {
    t,
    server,
    port,
    token,
    snapshot,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await t.close();
    },
  };
}

const SECURITY = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

async function check(target: Target, input: RawInput, before: { state: string }): Promise<void> {
  let res: RawResponse;
  try {
    res = await rawRequest(target.port, toBytes(input), { timeoutMs: 15_000 });
  } catch (err) {
    throw new Error(`no answer to ${JSON.stringify(toBytes(input).subarray(0, 300).toString('latin1'))}: ${(err as Error).message}`);
  }
  tally.inputs += 1;
  tally.byStatus[res.status] = (tally.byStatus[res.status] ?? 0) + 1;
  const what = `${input.method} ${input.path} → ${res.status} ${res.body.slice(0, 200)}`;
  if (res.status < 300) tally.succeeded.push(JSON.stringify(toBytes(input).subarray(0, 200).toString('latin1')));
  expect({ what, ok: res.status >= 100 && res.status < 500 }).toEqual({ what, ok: true });
  expect(res.headers).toMatchObject(SECURITY);
  if (res.status >= 400 && input.method !== 'HEAD') {
    const body = JSON.parse(res.body) as Record<string, unknown>;
    expect({ what, keys: Object.keys(body).sort() }).toEqual({ what, keys: ['data', 'error', 'msg'] });
    expect(typeof body.msg).toBe('string');
    expect(body.error).toMatch(/^[a-z_]+$/);
    expect(body.data).toBeNull();
  }
  const after = await target.snapshot();
  if (res.status === 201) {
    // A well-formed registration among the generated bodies: the only change allowed.
    tally.created += 1;
    before.state = after;
    return;
  }
  expect({ what, unchanged: after === before.state }).toEqual({ what, unchanged: true });
}

async function fuzz(target: Target, share: number) {
  const before = { state: await target.snapshot() };
  const run = (arbitrary: fc.Arbitrary<RawInput>, runs: number) =>
    fc.assert(
      fc.asyncProperty(arbitrary, (input) => check(target, input, before)),
      { numRuns: Math.ceil(runs * share), endOnFailure: true },
    );
  await run(loginInputs(), RUNS.login);
  await run(bearerInputs(target.token), RUNS.bearer);
  await run(bodyInputs(), RUNS.body);
  await run(protocolInputs(), RUNS.protocol);
  // Still serving, the token still valid, nothing logged as a failure.
  const dashboard = await rawRequest(target.port, toBytes({ method: 'GET', path: '/dashboard/', headers: [['Authorization', `Bearer ${target.token}`]] }));
  expect(dashboard.status).toBe(200);
  expect(target.t.logs.join('')).not.toMatch(/"level":(50|60)/);
}

describe('fuzzing the HTTP surface (memory store)', () => {
  test(`${Object.values(RUNS).reduce((a, b) => a + b)} generated requests: never a 5xx, always a clear 4xx, the store unchanged`, async () => {
    const memory = await target('memory');
    try {
      await fuzz(memory, 1);
    } finally {
      await memory.close();
    }
  });
});

describeWithRedisServer('fuzzing the HTTP surface (redis store)', () => {
  let server: RedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = createRedisClient(server.url, { commandTimeout: 5000 });
    await whenReady(redis, 5000);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
    process.stdout.write(
      `fuzz: ${tally.inputs} inputs, by status ${JSON.stringify(tally.byStatus)}, ${tally.created} valid registrations among them\n` +
        tally.succeeded.map((line) => `  answered 2xx: ${line}\n`).join(''),
    );
  });

  test('a quarter as many against Redis: the same properties, the Redis keys unchanged', async () => {
    const onRedis = await target({ redis });
    try {
      await fuzz(onRedis, 0.25);
    } finally {
      await onRedis.close();
    }
    expect(tally.inputs).toBeGreaterThanOrEqual(10_000);
  });
});
