import { generateLocalKey } from '../../src/tokens/paserk';
import { startGatehouse, type GatehouseProcess } from '../helpers/gatehouse-process';
import { describeWithRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server';

jest.setTimeout(180_000);

const ROUNDS = 20;
const PASSWORD = 'a durable password';
const basic = (u: string) => `Basic ${Buffer.from(`${u}:${PASSWORD}`).toString('base64')}`;

type Token = { user: string; token: string; state: 'live' | 'revoked' | 'unknown' };

/**
 * Acknowledged means kept: with appendfsync always, Redis is killed with SIGKILL in the middle
 * of a burst of registrations, logins and logouts, 20 times, and restarted on the same data
 * directory. Every write gatehouse acknowledged (2xx) before the kill must still be there: users
 * exist, tokens of acknowledged logins work, tokens of acknowledged logouts get 401. Writes whose
 * request failed are in an unknown state and are not used again.
 */
describeWithRedisServer('nothing acknowledged is lost when Redis is killed (appendfsync always)', () => {
  let redis: RedisServer;
  let gatehouse: GatehouseProcess;

  beforeAll(async () => {
    redis = await startRedisServer(['--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction']);
    gatehouse = await startGatehouse({
      STORE: 'redis',
      REDIS_URL: redis.url,
      REDIS_DURABILITY: 'require',
      TOKEN_KEYS: generateLocalKey(),
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_ITERATIONS: '1',
      LOGIN_FAILURES_PER_ADDRESS: '100000',
    });
  });
  afterAll(async () => {
    await gatehouse?.stop();
    await redis?.stop();
  });

  type Reply = { status: number; body: { data?: { auth_token?: string } } };
  const send = (path: string, init: RequestInit): Promise<Reply> =>
    fetch(`${gatehouse.url}${path}`, { ...init, signal: AbortSignal.timeout(5000) }).then(
      async (res) => ({ status: res.status, body: (await res.json()) as Reply['body'] }),
      () => ({ status: 0, body: {} }),
    );

  /**
   * For the checks after a restart: a 503 (or no answer) says Redis or this busy machine was slow,
   * not that a write was lost, so ask again (a few seconds at most); 200 and 401 are answers.
   */
  async function answered(path: string, init: RequestInit): Promise<Reply> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const reply = await send(path, init);
      if ((reply.status !== 503 && reply.status !== 0) || Date.now() > deadline) return reply;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function waitReady() {
    const deadline = Date.now() + 15_000;
    while ((await send('/readyz', {})).status !== 200) {
      if (Date.now() > deadline) throw new Error('gatehouse did not become ready');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  test(`${ROUNDS} rounds of kill -9 mid-burst: every acknowledged user and revocation survives`, async () => {
    const users: string[] = [];
    const tokens: Token[] = [];
    let writesChecked = 0;
    let acknowledged = 0;
    let failed = 0;

    for (let round = 0; round < ROUNDS; round += 1) {
      await waitReady();
      const live = tokens.filter((t) => t.state === 'live');
      const burst: Promise<void>[] = [];
      let acks = 0;
      const ack = () => {
        acks += 1;
        acknowledged += 1;
      };
      for (let i = 0; i < 6; i += 1) {
        const user = `r${round}u${i}`;
        burst.push(
          send('/register/', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: user, password: PASSWORD }) }).then((r) => {
            if (r.status === 201) (users.push(user), ack());
            else failed += 1;
          }),
        );
      }
      for (const user of users.slice(-4)) {
        burst.push(
          send('/login/', { method: 'POST', headers: { Authorization: basic(user) } }).then((r) => {
            if (r.status === 200) (tokens.push({ user, token: r.body.data!.auth_token!, state: 'live' }), ack());
            else failed += 1;
          }),
        );
      }
      for (const t of live.slice(0, 3)) {
        burst.push(
          send('/logout/', { method: 'POST', headers: { Authorization: `Bearer ${t.token}` } }).then((r) => {
            if (r.status === 200) (t.state = 'revoked', ack());
            else ((t.state = 'unknown'), (failed += 1));
          }),
        );
      }
      // Kill in the middle of the burst: after a random number of acknowledgments.
      const killAfter = 1 + Math.floor(Math.random() * 6);
      const start = Date.now();
      while (acks < killAfter && Date.now() - start < 2000) await new Promise((r) => setImmediate(r));
      await redis.kill();
      await Promise.all(burst);
      await redis.restart();
      await waitReady();

      for (const user of users) {
        const res = await answered('/login/', { method: 'POST', headers: { Authorization: basic(user) } });
        expect({ user, status: res.status }).toEqual({ user, status: 200 });
        tokens.push({ user, token: res.body.data!.auth_token!, state: 'live' });
        writesChecked += 1;
      }
      for (const t of tokens.filter((x) => x.state !== 'unknown')) {
        const res = await answered('/dashboard/', { headers: { Authorization: `Bearer ${t.token}` } });
        expect({ user: t.user, state: t.state, status: res.status }).toEqual({
          user: t.user,
          state: t.state,
          status: t.state === 'live' ? 200 : 401,
        });
        writesChecked += 1;
      }
    }
    process.stdout.write(
      `crash durability: ${ROUNDS} kill -9 rounds, ${acknowledged} writes acknowledged in bursts, ` +
        `${failed} refused during kills, ${writesChecked} acknowledged writes checked after restarts ` +
        `(${users.length} users, ${tokens.filter((t) => t.state === 'revoked').length} revocations)\n`,
    );
    expect(acknowledged).toBeGreaterThan(ROUNDS * 3);
  });
});
