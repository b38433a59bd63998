import { Redis } from 'ioredis';
import { generateLocalKey } from '../../src/tokens/paserk';
import { startDelayProxy, type DelayProxy } from '../helpers/delay-proxy';
import { startGatehouse, type GatehouseProcess } from '../helpers/gatehouse-process';
import { describeWithRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server';

jest.setTimeout(60_000);

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const PASSWORD = 'a fault tolerant password';

/** Faults injected, by kind; reported at the end. */
const injected: Record<string, number> = {};
const count = (kind: string) => (injected[kind] = (injected[kind] ?? 0) + 1);

/**
 * The built server against a private redis-server (through a TCP proxy that can add latency),
 * which the test kills, freezes and slows down. Every route that needs Redis must answer 503
 * with Retry-After within a second, /readyz included, and come back by itself.
 */
describeWithRedisServer('Redis faults, against the real server process', () => {
  let redis: RedisServer;
  let proxy: DelayProxy;
  let gatehouse: GatehouseProcess;
  let token: string;
  let n = 0;

  const call = async (path: string, init: RequestInit = {}) => {
    const started = Date.now();
    const res = await fetch(`${gatehouse.url}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { msg: string; error?: string };
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body, ms: Date.now() - started };
  };
  const bearer = () => ({ headers: { Authorization: `Bearer ${token}` } });
  const routes: [string, () => ReturnType<typeof call>][] = [
    ['POST /register/', () => call('/register/', jsonPost({ username: `user${(n += 1)}`, password: PASSWORD }))],
    ['POST /login/', () => call('/login/', { method: 'POST', headers: { Authorization: basic('alice', PASSWORD) } })],
    ['POST /login/ (unknown user)', () => call('/login/', { method: 'POST', headers: { Authorization: basic('nobody', PASSWORD) } })],
    ['GET /dashboard/', () => call('/dashboard/', bearer())],
    ['GET /logout/', () => call('/logout/', bearer())],
    ['POST /logout/', () => call('/logout/', { method: 'POST', ...bearer() })],
    ['GET /readyz', () => call('/readyz')],
  ];

  async function expectEveryRoute503() {
    // Twice over: later commands queue behind earlier ones on a stuck connection.
    for (const [name, send] of [...routes, ...routes]) {
      const res = await send();
      expect({ name, status: res.status, retryAfter: res.retryAfter, error: res.body.error }).toEqual({
        name,
        status: 503,
        retryAfter: '1',
        error: 'service_unavailable',
      });
      expect(res.ms).toBeLessThan(1000);
      count('requests answered 503');
    }
    // Liveness does not depend on Redis: restarting gatehouse would not bring Redis back.
    expect((await call('/healthz')).status).toBe(200);
    expect((await call('/')).status).toBe(200);
  }

  async function expectServiceBack() {
    const deadline = Date.now() + 10_000;
    while ((await call('/readyz')).status !== 200) {
      if (Date.now() > deadline) throw new Error('gatehouse did not become ready again');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await call('/dashboard/', bearer())).status).toBe(200);
    expect((await call('/register/', jsonPost({ username: `back${(n += 1)}`, password: PASSWORD }))).status).toBe(201);
  }

  beforeAll(async () => {
    // Persistent, so that a killed and restarted Redis still has alice and her session.
    redis = await startRedisServer(['--appendonly', 'yes', '--appendfsync', 'always']);
    proxy = await startDelayProxy(redis.port);
    gatehouse = await startGatehouse({
      STORE: 'redis',
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      TOKEN_KEYS: generateLocalKey(),
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_ITERATIONS: '1',
      LOGIN_FAILURES_PER_ADDRESS: '100000',
    });
    expect((await call('/register/', jsonPost({ username: 'alice', password: PASSWORD }))).status).toBe(201);
    const login = await fetch(`${gatehouse.url}/login/`, { method: 'POST', headers: { Authorization: basic('alice', PASSWORD) } });
    token = ((await login.json()) as { data: { auth_token: string } }).data.auth_token;
  });
  afterAll(async () => {
    await gatehouse?.stop();
    await proxy?.close();
    await redis?.stop();
    process.stdout.write(`redis faults injected: ${JSON.stringify(injected)}\n`);
  });

  test('Redis killed: every route is a 503 with Retry-After within 1 s; restarted, service returns by itself', async () => {
    await redis.kill();
    count('kill -9');
    await expectEveryRoute503();
    await redis.restart();
    count('restart');
    await expectServiceBack();
  });

  test('Redis frozen (SIGSTOP): every route is a 503 with Retry-After within 1 s; thawed, service returns', async () => {
    redis.freeze();
    count('SIGSTOP');
    try {
      await expectEveryRoute503();
    } finally {
      redis.thaw();
    }
    await expectServiceBack();
  });

  test('Redis slow (500 ms each way): every route is a 503 with Retry-After within 1 s; fast again, service returns', async () => {
    proxy.delayMs = 500;
    count('500 ms latency');
    try {
      await expectEveryRoute503();
    } finally {
      proxy.delayMs = 0;
    }
    await expectServiceBack();
  });

  test('the token survived all of it: no 503 revoked it, and logout works again', async () => {
    expect((await call('/dashboard/', bearer())).status).toBe(200);
    expect((await call('/logout/', bearer())).status).toBe(200);
    expect((await call('/dashboard/', bearer())).status).toBe(401);
  });

  test('a corrupt record is a generic 500 (not a retryable 503) and the process lives on', async () => {
    const direct = new Redis(redis.url);
    try {
      await direct.set('gatehouse:{mallory}:user', 'not a hash');
      const res = await call('/register/', jsonPost({ username: 'mallory', password: PASSWORD }));
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ msg: 'internal server error', data: null, error: 'internal_error' });
      expect((await call('/readyz')).status).toBe(200);
      expect((await call('/register/', jsonPost({ username: 'after500', password: PASSWORD }))).status).toBe(201);
      await waitFor(() => gatehouse.output().includes('WRONGTYPE'));
      expect(gatehouse.output()).toMatch(/"level":50.*WRONGTYPE/);
    } finally {
      direct.disconnect();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

function jsonPost(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}
