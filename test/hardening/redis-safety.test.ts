import type { Redis } from 'ioredis';
import supertest from 'supertest';
import { createApp } from '../../src/app';
import { createRedisClient, whenReady } from '../../src/store/redis-connection';
import { checkRedisSafety } from '../../src/store/redis-safety';
import { generateLocalKey } from '../../src/tokens/paserk';
import { createTestApp } from '../helpers/app';
import { startGatehouse } from '../helpers/gatehouse-process';
import { describeWithRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server';

jest.setTimeout(30_000);

const DURABLE = ['--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction'];

describeWithRedisServer('Redis durability settings, checked at start-up and by /readyz', () => {
  const servers: RedisServer[] = [];
  const clients: Redis[] = [];
  async function redisWith(args: string[]): Promise<{ server: RedisServer; client: Redis }> {
    const server = await startRedisServer(args);
    const client = createRedisClient(server.url, { commandTimeout: 5000 });
    await whenReady(client, 5000);
    servers.push(server);
    clients.push(client);
    return { server, client };
  }
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    for (const server of servers) await server.stop();
  });

  test('appendonly yes, appendfsync always and noeviction: nothing to report', async () => {
    const { client } = await redisWith(DURABLE);
    expect(await checkRedisSafety(client, 150)).toEqual({ unsafe: [], notes: [] });
  });

  test("Redis's defaults lose acknowledged writes: each unsafe setting is named with why it matters", async () => {
    const { client } = await redisWith(['--maxmemory-policy', 'allkeys-lru']);
    expect((await checkRedisSafety(client, 150)).unsafe).toEqual([
      'Redis has appendonly no, not yes: without the append-only file, writes since the last snapshot are lost when Redis stops',
      'Redis has appendfsync everysec, not always: anything else can lose the last second of acknowledged writes when the host crashes',
      'Redis has maxmemory-policy allkeys-lru, not noeviction: any other policy lets a full Redis delete users and sessions',
    ]);
  });

  test('a Redis that forbids CONFIG (as managed services do) is reported as unverified, not as safe', async () => {
    const { client } = await redisWith([...DURABLE, '--rename-command', 'CONFIG', '']);
    expect((await checkRedisSafety(client, 150)).unsafe).toEqual([
      expect.stringMatching(/^could not verify that Redis keeps acknowledged writes: CONFIG GET is not allowed \(ERR unknown command/),
    ]);
  });

  test('clocks further apart than a third of the write budget are noted, with what that means', async () => {
    const { client } = await redisWith(DURABLE);
    const ahead = await checkRedisSafety(client, 150, () => Date.now() + 1000);
    expect(ahead.notes).toEqual([
      expect.stringMatching(/^the Redis clock is (99\d|10\d\d) ms behind ours; writes fail once the clocks differ by more than 150 ms/),
    ]);
    expect((await checkRedisSafety(client, 150, () => Date.now() + 20)).notes).toEqual([]);
  });

  test('/readyz lists the warnings; with REDIS_DURABILITY=require an unsafe Redis makes it 503', async () => {
    const { client } = await redisWith([]);
    for (const [mode, status] of [
      ['warn', 200],
      ['require', 503],
    ] as const) {
      const t = await createTestApp('memory', { REDIS_DURABILITY: mode });
      const app = createApp({ ...t.deps, storeSafety: () => checkRedisSafety(client, 150) });
      const res = await supertest(app.callback()).get('/readyz');
      expect(res.status).toBe(status);
      if (status === 200) {
        expect(res.body.data.warnings).toEqual([expect.stringMatching(/^Redis has appendonly no/), expect.stringMatching(/^Redis has appendfsync everysec/)]);
      } else {
        expect(res.headers['retry-after']).toBe('5');
        expect(res.body).toEqual({
          msg: expect.stringMatching(/^the store may lose acknowledged writes: Redis has appendonly no/),
          data: null,
          error: 'service_unavailable',
        });
      }
      await t.close();
    }
  });

  test('start-up: warn (the default) logs each problem and serves; require refuses to start, listing them', async () => {
    const { server } = await redisWith([]);
    const env = { STORE: 'redis', REDIS_URL: server.url, TOKEN_KEYS: generateLocalKey() };
    const warned = await startGatehouse(env);
    expect(warned.output()).toMatch(/"level":40.*"event":"redis_not_durable".*Redis has appendonly no/);
    expect(await warned.stop()).toBe(0);

    await expect(startGatehouse({ ...env, REDIS_DURABILITY: 'require' })).rejects.toThrow(
      /exited with 1 before listening:[\s\S]*invalid configuration:\n {2}- REDIS_DURABILITY: require, but Redis has appendonly no, not yes[\s\S]*\n {2}- REDIS_DURABILITY: require, but Redis has appendfsync everysec/,
    );
  });

  test('start-up with require and a durable Redis: serves, with nothing to warn about', async () => {
    const { server } = await redisWith(DURABLE);
    const gatehouse = await startGatehouse({ STORE: 'redis', REDIS_URL: server.url, TOKEN_KEYS: generateLocalKey(), REDIS_DURABILITY: 'require' });
    expect(gatehouse.output()).not.toContain('redis_not_durable');
    const res = await fetch(`${gatehouse.url}/readyz`);
    expect(await res.json()).toEqual({ msg: 'ready', data: null });
    expect(await gatehouse.stop()).toBe(0);
  });
});
