import type { Redis } from 'ioredis';
import supertest from 'supertest';
import { createApp } from '../../src/app';
import { createRedisClient, whenReady } from '../../src/store/redis-connection';
import { RedisStore } from '../../src/store/redis-store';
import type { Store } from '../../src/store/store';
import { redisLoginThrottle, throttleLimits } from '../../src/throttle/login-throttle';
import { basic, createTestApp, type TestApp } from '../helpers/app';
import { describeWithRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server';

jest.setTimeout(30_000);

const PASSWORD = 'a password for late writes';
const PREFIX = 'late:';

/**
 * "A request that already got a 503 cannot write later." When Redis is frozen (SIGSTOP), a
 * command already written to its socket waits in the kernel's buffer; the client times out
 * and answers 503, and Redis runs the command when it is thawed. ioredis's
 * autoResendUnfulfilledCommands=false cannot help: nothing is re-sent, the first send is what
 * runs. Each write script therefore carries a deadline that Redis checks against its own clock.
 */
describeWithRedisServer('writes that reach a frozen Redis after their request got a 503', () => {
  let server: RedisServer;
  let redis: Redis;
  let inspect: Redis;
  let base: TestApp;

  beforeAll(async () => {
    server = await startRedisServer();
    // The production connection: 300 ms command timeout, no offline queue, no re-sending.
    redis = createRedisClient(server.url);
    redis.on('error', () => {});
    inspect = createRedisClient(server.url, { commandTimeout: 5000 });
    await Promise.all([whenReady(redis, 5000), whenReady(inspect, 5000)]);
    base = await createTestApp('memory');
  });
  afterAll(async () => {
    redis.disconnect();
    inspect.disconnect();
    await base.close();
    await server.stop();
  });

  /** The app on the private Redis; `freezeBefore` names the store write to freeze Redis just before. */
  function appFreezingBefore(method: keyof Store | null, store: Store = new RedisStore(redis, PREFIX)) {
    const freezing = new Proxy(store, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown;
        if (name !== method || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
        return (...args: unknown[]) => {
          server.freeze();
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      },
    });
    const app = createApp({ ...base.deps, store: freezing, throttle: redisLoginThrottle(redis, PREFIX, throttleLimits(base.deps.config)) });
    return () => supertest(app.callback());
  }

  /** Thaws Redis and waits until it has worked through everything in its socket buffers. */
  async function thawAndSettle() {
    server.thaw();
    await inspect.ping();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await inspect.ping();
  }

  async function expect503(res: supertest.Response) {
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body.error).toBe('service_unavailable');
  }

  const NO_DEADLINE = { writeBudgetMs: 3_600_000 };
  let n = 0;

  /** Each case: the HTTP request that writes, frozen at its store write, and whether that write landed. */
  const cases: [string, keyof Store, (deadline: boolean) => Promise<{ landed: () => Promise<boolean> }>][] = [
    [
      'register',
      'createUser',
      async (deadline) => {
        const username = `late${(n += 1)}`;
        const request = appFreezingBefore('createUser', new RedisStore(redis, PREFIX, deadline ? {} : NO_DEADLINE));
        await expect503(await request().post('/register/').send({ username, password: PASSWORD }));
        return { landed: async () => (await inspect.exists(`${PREFIX}{${username}}:user`)) === 1 };
      },
    ],
    [
      'login',
      'createSession',
      async (deadline) => {
        const username = `late${(n += 1)}`;
        await plain().post('/register/').send({ username, password: PASSWORD }).expect(201);
        const request = appFreezingBefore('createSession', new RedisStore(redis, PREFIX, deadline ? {} : NO_DEADLINE));
        await expect503(await request().post('/login/').set('Authorization', basic(username, PASSWORD)));
        return { landed: async () => (await inspect.exists(`${PREFIX}{${username}}:sessions`)) === 1 };
      },
    ],
    [
      'logout',
      'revokeSession',
      async (deadline) => {
        const username = `late${(n += 1)}`;
        await plain().post('/register/').send({ username, password: PASSWORD }).expect(201);
        const token = (await plain().post('/login/').set('Authorization', basic(username, PASSWORD)).expect(200)).body.data.auth_token;
        const request = appFreezingBefore('revokeSession', new RedisStore(redis, PREFIX, deadline ? {} : NO_DEADLINE));
        await expect503(await request().get('/logout/').set('Authorization', `Bearer ${token}`));
        return { landed: async () => (await plain().get('/dashboard/').set('Authorization', `Bearer ${token}`)).status === 401 };
      },
    ],
  ];

  const plain = () => appFreezingBefore(null)();

  beforeAll(async () => {
    // Load every script first, so the frozen command is the write itself (EVALSHA) and not a
    // NOSCRIPT miss that would fail harmlessly on its own.
    await plain().post('/register/').send({ username: 'warmup', password: PASSWORD }).expect(201);
    const token = (await plain().post('/login/').set('Authorization', basic('warmup', PASSWORD)).expect(200)).body.data.auth_token;
    await plain().get('/logout/').set('Authorization', `Bearer ${token}`).expect(200);
  });

  test.each(cases)('the failure is real: without a deadline, a %s frozen at %s lands after its 503', async (_, __, run) => {
    const { landed } = await run(false);
    await thawAndSettle();
    expect(await landed()).toBe(true);
  });

  test.each(cases)('%s during SIGSTOP (frozen at %s) → 503 → SIGCONT → nothing was written', async (_, __, run) => {
    const { landed } = await run(true);
    await thawAndSettle();
    expect(await landed()).toBe(false);
  });

  test('the client retries as the 503 told it to, and it works', async () => {
    await plain().post('/register/').send({ username: 'late1', password: PASSWORD }).expect(409); // landed late, above
    await plain().post('/register/').send({ username: 'late4', password: PASSWORD }).expect(201);
  });

  test('a write that arrives in time is not refused', async () => {
    const store = new RedisStore(redis, PREFIX);
    const user = { username: 'prompt', passwordHash: '$argon2id$x', firstName: null, lastName: null, createdAt: Date.now() };
    expect(await store.createUser(user)).toBe(true);
  });
});
