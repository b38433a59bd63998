import { Redis } from 'ioredis';
import { generateLocalKey } from '../../src/tokens/paserk';
import { startGatehouse } from '../helpers/gatehouse-process';
import { rawRequest } from '../helpers/raw-http';
import { describeWithRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server';

jest.setTimeout(30_000);

const gatehouseClients = async (redis: Redis) =>
  (await redis.client('LIST') as string).split('\n').filter((line) => line.includes(' name=gatehouse ')).length;

describeWithRedisServer('graceful shutdown of the real process', () => {
  let redis: RedisServer;
  let inspect: Redis;
  beforeAll(async () => {
    redis = await startRedisServer();
    inspect = new Redis(redis.url);
  });
  afterAll(async () => {
    inspect.disconnect();
    await redis.stop();
  });

  test('SIGTERM: readiness turns 503 at once, the request in flight finishes, the Redis connection closes, exit 0', async () => {
    const gatehouse = await startGatehouse({
      STORE: 'redis',
      REDIS_URL: redis.url,
      TOKEN_KEYS: generateLocalKey(),
      SHUTDOWN_DELAY: '1',
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_ITERATIONS: '1',
    });
    const port = Number(new URL(gatehouse.url).port);
    expect(await gatehouseClients(inspect)).toBe(1);
    const exited = new Promise<number | null>((resolve) => gatehouse.child.once('exit', resolve));

    // A registration whose body arrives slowly: in flight across the whole shutdown.
    const body = JSON.stringify({ username: 'inflight', password: 'a password sent slowly' });
    const inFlight = rawRequest(
      port,
      `POST /register/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
      { trickle: [body.slice(5, 20), body.slice(20)], gapMs: 1000 },
    );
    await new Promise((r) => setTimeout(r, 200));
    gatehouse.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));

    // SHUTDOWN_DELAY: still serving, but no longer ready, so load balancers move on.
    const ready = await fetch(`${gatehouse.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('1');
    expect(await ready.json()).toEqual({ msg: 'gatehouse is shutting down', data: null, error: 'service_unavailable' });
    expect((await fetch(`${gatehouse.url}/healthz`)).status).toBe(200);

    // After the delay no new connection is accepted, while the request in flight goes on.
    await new Promise((r) => setTimeout(r, 1000));
    await expect(fetch(`${gatehouse.url}/healthz`)).rejects.toThrow();

    const res = await inFlight;
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toEqual({ msg: 'successfully created user profile', data: null });
    expect(await exited).toBe(0);
    expect(await inspect.exists('gatehouse:{inflight}:user')).toBe(1);
    expect(await gatehouseClients(inspect)).toBe(0);
    const events = [...gatehouse.output().matchAll(/"event":"(stopping|draining|stopped)"/g)].map((m) => m[1]);
    expect(events).toEqual(['stopping', 'draining', 'stopped']);
  });
});
