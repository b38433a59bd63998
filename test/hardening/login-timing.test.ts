import { Agent, request, type Server } from 'node:http';
import { createHttpServer } from '../../src/http/node-server';
import { basic, createTestApp, storeKinds, type TestApp } from '../helpers/app';
import { listen } from '../helpers/raw-http';

jest.setTimeout(120_000);

const SAMPLES = 200;
const WARMUP = 20;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * No user enumeration by timing: with the real argon2id parameters (m=19456 KiB, t=2, p=1), a
 * login for an unknown user and one with a wrong password take the same time. Each kind is
 * sampled 200 times, interleaved in random order over one keep-alive connection so that machine
 * noise falls on both alike, and the medians must be within 10 %.
 */
describe.each(storeKinds)('login timing (%s store, real argon2 parameters)', (kind) => {
  let t: TestApp;
  let server: Server;
  let port: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  beforeAll(async () => {
    // OWASP parameters (the defaults); limits high enough that the throttle never answers.
    t = await createTestApp(kind, {
      ARGON2_MEMORY_KIB: '19456',
      ARGON2_ITERATIONS: '2',
      LOGIN_FAILURES_PER_ACCOUNT: '1000000',
      LOGIN_FAILURES_PER_ADDRESS: '1000000',
    });
    server = createHttpServer(t.deps.config, t.app.callback(), t.deps.log);
    port = await listen(server);
    await t.request().post('/register/').send({ username: 'alice', password: 'the real password' }).expect(201);
  });
  afterAll(async () => {
    agent.destroy();
    await new Promise((resolve) => server.close(resolve));
    await t.close();
  });

  const timeLogin = (username: string, password: string) =>
    new Promise<number>((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = request({ port, agent, method: 'POST', path: '/login/', headers: { Authorization: basic(username, password) } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 401) reject(new Error(`expected 401, got ${res.statusCode}`));
          else resolve(Number(process.hrtime.bigint() - started) / 1e6);
        });
      });
      req.on('error', reject);
      req.end();
    });

  test('medians of 200 unknown-user and 200 wrong-password logins are within 10 %', async () => {
    const times = { unknown: [] as number[], wrong: [] as number[] };
    for (let i = 0; i < WARMUP + SAMPLES; i += 1) {
      const pair = [
        ['unknown', () => timeLogin(`ghost-${i}`, `a guess ${i}`)],
        ['wrong', () => timeLogin('alice', `a guess ${i}`)],
      ] as const;
      for (const [name, run] of Math.random() < 0.5 ? pair : [pair[1], pair[0]]) {
        const ms = await run();
        if (i >= WARMUP) times[name].push(ms);
      }
    }
    const unknown = median(times.unknown);
    const wrong = median(times.wrong);
    process.stdout.write(
      `login timing (${kind}): median unknown user ${unknown.toFixed(2)} ms, wrong password ${wrong.toFixed(2)} ms, ` +
        `difference ${((Math.abs(unknown - wrong) / Math.max(unknown, wrong)) * 100).toFixed(1)} % (${SAMPLES} each)\n`,
    );
    expect(times.unknown).toHaveLength(SAMPLES);
    expect(Math.abs(unknown - wrong)).toBeLessThanOrEqual(0.1 * Math.max(unknown, wrong));
    // The argon2 work really happened for both (an unknown user skipping it would take ~1 ms).
    expect(Math.min(unknown, wrong)).toBeGreaterThan(3);
  });
});
