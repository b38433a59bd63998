import { generateLocalKey } from '../../src/tokens/paserk';
import { startGatehouse, type GatehouseProcess } from '../helpers/gatehouse-process';
import { bearer, dashboard, login, register, tokenFor } from '../helpers/gatehouse-client';
import { cleanUpPrefix, redisUrl, uniquePrefix } from '../helpers/redis';
import { describeWithRedisServer } from '../helpers/redis-server';
import { startRedisCluster } from '../helpers/redis-cluster';

/** How to reach a shared Redis: the settings for it, and how to clean up `prefix` or take it down. */
type Topology = (prefix: string) => Promise<{ env: Record<string, string>; stop(): Promise<void> }>;

const topologies: [string, Topology][] = [
  [
    'a Redis Cluster of 3 masters',
    async () => {
      const cluster = await startRedisCluster({ masters: 3 });
      return { env: { REDIS_CLUSTER_NODES: cluster.nodes }, stop: () => cluster.stop() };
    },
  ],
  [
    'one Redis server',
    async (prefix) => ({
      env: { REDIS_URL: redisUrl },
      // The shared test Redis is never flushed: only this test's keys go.
      stop: () => cleanUpPrefix(prefix),
    }),
  ],
];

/**
 * Two gatehouse processes on different ports share one Redis (and TOKEN_KEYS), as instances
 * behind a load balancer do: whatever one does, the other sees at once, the login throttle too.
 */
for (const [shared, topology] of topologies) describeWithRedisServer(`two gatehouse instances sharing ${shared}`, () => {
  const password = 'shared instance password';
  let stopRedis: () => Promise<void> = async () => {};
  let a: GatehouseProcess;
  let b: GatehouseProcess;
  beforeAll(async () => {
    const prefix = uniquePrefix('multi');
    const redis = await topology(prefix);
    stopRedis = redis.stop;
    const env = { STORE: 'redis', REDIS_PREFIX: prefix, TOKEN_KEYS: generateLocalKey(), LOGIN_FAILURES_PER_ACCOUNT: '3', ...redis.env };
    [a, b] = await Promise.all([startGatehouse(env), startGatehouse(env)]);
    expect(a.url).not.toBe(b.url);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await stopRedis();
  });

  test('a user registered on one instance logs in on the other, and its token works on both', async () => {
    expect((await register(a.url, 'ivy', password)).status).toBe(201);
    const fromB = await tokenFor(b.url, 'ivy', password);
    for (const instance of [a, b]) {
      const res = await dashboard(instance.url, fromB);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { data: { username: string } }).data.username).toBe('ivy');
    }
    // The same name registered on the other instance is taken.
    expect((await register(b.url, 'IVY', password)).status).toBe(409);
  });

  test('a logout on one instance is refused by the other at once', async () => {
    await register(a.url, 'jack', password);
    const token = await tokenFor(a.url, 'jack', password);
    const other = await tokenFor(b.url, 'jack', password);
    expect((await dashboard(b.url, token)).status).toBe(200);

    expect((await fetch(`${a.url}/logout/`, { headers: bearer(token) })).status).toBe(200);
    // The very next request, on the other instance, is refused: no cache, no propagation delay.
    const refused = await dashboard(b.url, token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect((await fetch(`${b.url}/auth/verify`, { headers: bearer(token) })).status).toBe(401);
    // Only that session ended.
    expect((await dashboard(a.url, other)).status).toBe(200);
  });

  test('logging out everywhere on one instance ends the sessions made on the other', async () => {
    await register(b.url, 'kate', password);
    const tokens = [await tokenFor(a.url, 'kate', password), await tokenFor(b.url, 'kate', password)];
    const global = await fetch(`${b.url}/logout/?scope=global`, { method: 'POST', headers: bearer(tokens[1]!) });
    expect(global.status).toBe(200);
    expect(((await global.json()) as { data: { revoked: number } }).data.revoked).toBe(2);
    for (const token of tokens) {
      expect((await dashboard(a.url, token)).status).toBe(401);
      expect((await dashboard(b.url, token)).status).toBe(401);
    }
  });

  test('the login throttle counts failures on both instances together', async () => {
    await register(a.url, 'mona', password);
    // LOGIN_FAILURES_PER_ACCOUNT=3: two failures on one instance, one on the other...
    for (const instance of [a, b, a]) expect((await login(instance.url, 'mona', 'not her password')).status).toBe(401);
    // ...and the account is locked on both, even for the right password.
    for (const instance of [b, a]) {
      const res = await login(instance.url, 'mona', password);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await res.json()) as { error: string }).error).toBe('too_many_requests');
    }
  });

  test('the same username registered on both instances at once is created exactly once', async () => {
    for (let i = 0; i < 5; i++) {
      const statuses = await Promise.all([register(a.url, `race${i}`, password), register(b.url, `race${i}`, password)]).then(
        (responses) => responses.map((r) => r.status).sort(),
      );
      expect(statuses).toEqual([201, 409]);
    }
  });

  test('SIGTERM stops one instance cleanly (exit 0) while the other keeps serving its users', async () => {
    await register(a.url, 'liam', password);
    const token = await tokenFor(a.url, 'liam', password);
    expect(await a.stop('SIGTERM')).toBe(0);
    expect(a.output()).toContain('"event":"stopped"');
    expect((await dashboard(b.url, token)).status).toBe(200);
  });
});
