/**
 * `npm run bench`: starts gatehouse (Redis store) and the two baselines in one run, drives each
 * with autocannon on loopback for a bounded time, prints a table of req/s, p50, p99 and each
 * scenario's ratio to its baseline, and writes the results as JSON to bench/results/.
 *
 * Targets are ratios, not absolute times, because the machines are shared and noisy:
 *   P1 GET /dashboard/, one token             >= 0.80 x (Koa + one Redis GET)
 *   P2 GET /dashboard/, a new token each time  >= 0.50 x (Koa + one Redis GET)
 *   P3 POST /login/ at concurrency = cores     >= 0.90 x raw argon2 verify throughput
 *   P4 p99 of GET /healthz while logins saturate the CPU <= 25 ms
 *   P5 gatehouse RSS under load                <= 150 MB
 * Exits 1 when a target is missed.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { RedisStore } from '../src/store/redis-store';
import { Keyring } from '../src/tokens/keyring';
import { generateLocalKey } from '../src/tokens/paserk';
import { createTokenService } from '../src/tokens/token-service';

const ROOT = join(__dirname, '../..');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CORES = cpus().length;
const PREFIX = `gatehouse-bench:${process.pid}:`;
const KEY = generateLocalKey();
const PASSWORD = 'correct horse battery staple';
const POOL_USERS = 200;
const SESSIONS_PER_USER = 100;

interface Row {
  id: string;
  scenario: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  baseline?: string;
  ratio?: number;
  target: string;
  pass?: boolean;
}

interface Server {
  url: string;
  child: ChildProcess;
}

/** Starts a node process that prints a line with "url", and waits for it. */
function startServer(script: string, env: Record<string, string>, args: string[] = []): Promise<Server> {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += String(chunk);
      const match = /"url":"(http:\/\/[^"]+)"/.exec(buffered);
      if (match) {
        // Keep draining stdout (request logs) so the child never blocks on a full pipe.
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve({ url: match[1]!, child });
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${buffered}`)));
  });
}

function load(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ duration: DURATION, connections: CONNECTIONS, ...options }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

function row(id: string, scenario: string, result: autocannon.Result, target: string): Row {
  return {
    id,
    scenario,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + (result.non2xx ?? 0),
    target,
  };
}

/** Resident set size of a process in MB, from /proc. */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function argon2Throughput(concurrency: number): Promise<number> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'dist/bench/argon2-throughput.cjs'), String(concurrency), String(DURATION), '19456', '2', '1'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (c) => (out += String(c)));
  await new Promise((resolve) => child.once('exit', resolve));
  return (JSON.parse(out) as { perSecond: number }).perSecond;
}

/** Users and sessions for P2, written straight to the store: 20,000 logins would take minutes. */
async function mintTokenPool(redis: Redis): Promise<string[]> {
  const store = new RedisStore(redis, PREFIX);
  const tokens = createTokenService({ keyring: new Keyring([KEY]), ttl: 3600, issuer: 'gatehouse' });
  const pool: string[] = [];
  const now = new Date();
  for (let u = 0; u < POOL_USERS; u += 1) {
    const username = `pool${u}`;
    await store.createUser({ username, passwordHash: 'unused', firstName: 'Pool', lastName: null, createdAt: now.getTime() });
    const { generation } = (await store.findUser(username))!;
    for (let s = 0; s < SESSIONS_PER_USER; s += 1) {
      const { token, claims } = await tokens.issue(username, now);
      const session = {
        jti: claims.jti,
        username,
        issuedAt: claims.iat * 1000,
        expiresAt: claims.exp * 1000,
        userAgent: null,
        address: null,
      };
      await store.createSession(session, generation, SESSIONS_PER_USER);
      pool.push(token);
    }
  }
  return pool;
}

async function main(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const servers: Server[] = [];
  let peakRss = 0;
  let sampler: NodeJS.Timeout | undefined;
  try {
    const baseline = await startServer(join(ROOT, 'dist/bench/baseline-server.cjs'), { REDIS_URL, BENCH_PREFIX: PREFIX });
    servers.push(baseline);
    const gatehouse = await startServer(join(ROOT, 'dist/gatehouse.cjs'), {
      STORE: 'redis',
      REDIS_URL,
      REDIS_PREFIX: PREFIX,
      TOKEN_KEYS: KEY,
      PORT: '0',
      LOG_FORMAT: 'json',
    });
    servers.push(gatehouse);
    sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(gatehouse.child.pid!))), 100);

    const basic = `Basic ${Buffer.from(`bench:${PASSWORD}`).toString('base64')}`;
    await fetch(`${gatehouse.url}/register/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'bench', password: PASSWORD, first_name: 'Bench' }),
    });
    const login = (await (await fetch(`${gatehouse.url}/login/`, { method: 'POST', headers: { Authorization: basic } })).json()) as {
      data: { auth_token: string };
    };
    const token = login.data.auth_token;
    process.stdout.write(`minting ${POOL_USERS * SESSIONS_PER_USER} tokens for P2...\n`);
    const pool = await mintTokenPool(redis);

    const rows: Row[] = [];
    const say = (r: Row) => {
      rows.push(r);
      process.stdout.write(`  ${r.id} ${r.scenario}: ${r.requestsPerSecond} req/s, p99 ${r.p99} ms\n`);
    };
    // Warm up every route once so JIT and connections are not measured.
    await load({ url: `${gatehouse.url}/dashboard/`, headers: { authorization: `Bearer ${token}` }, duration: 2 });
    await load({ url: `${baseline.url}/redis`, duration: 2 });

    say(row('B0', 'Koa + @koa/router JSON route', await load({ url: `${baseline.url}/plain` }), 'baseline'));
    say(row('B1', 'same route + one Redis GET', await load({ url: `${baseline.url}/redis` }), 'baseline'));
    say(
      row(
        'P1',
        'GET /dashboard/, one token (Redis store)',
        await load({ url: `${gatehouse.url}/dashboard/`, headers: { authorization: `Bearer ${token}` } }),
        '>= 0.80 x B1',
      ),
    );
    let next = 0;
    say(
      row(
        'P2',
        `GET /dashboard/, a different token per request (pool of ${pool.length})`,
        await load({
          url: `${gatehouse.url}/dashboard/`,
          requests: [
            {
              setupRequest: (request) => {
                request.headers = { ...request.headers, authorization: `Bearer ${pool[next++ % pool.length]}` };
                return request;
              },
            },
          ],
        }),
        '>= 0.50 x B1',
      ),
    );

    const argon2 = await argon2Throughput(CORES);
    const loginResult = await load({ url: `${gatehouse.url}/login/`, method: 'POST', headers: { authorization: basic }, connections: CORES });
    say(row('P3', `POST /login/ at concurrency ${CORES} (cores)`, loginResult, '>= 0.90 x raw argon2'));

    // P4: saturate with logins, probe /healthz at a modest fixed rate alongside.
    const [, health] = await Promise.all([
      load({ url: `${gatehouse.url}/login/`, method: 'POST', headers: { authorization: basic }, connections: CORES * 4 }),
      load({ url: `${gatehouse.url}/healthz`, connections: 2, overallRate: 100 }),
    ]);
    say(row('P4', 'GET /healthz while logins saturate the CPU', health, 'p99 <= 25 ms'));

    const b1 = rows.find((r) => r.id === 'B1')!.requestsPerSecond;
    for (const r of rows) {
      if (r.id === 'P1' || r.id === 'P2') {
        r.baseline = 'B1';
        r.ratio = r.requestsPerSecond / b1;
        r.pass = r.ratio >= (r.id === 'P1' ? 0.8 : 0.5);
      }
      if (r.id === 'P3') {
        r.baseline = `raw argon2 verify: ${argon2.toFixed(1)}/s`;
        r.ratio = loginResult.requests.average / argon2;
        r.pass = r.ratio >= 0.9;
      }
      if (r.id === 'P4') r.pass = r.p99 <= 25;
    }
    clearInterval(sampler);
    rows.push({
      id: 'P5',
      scenario: 'gatehouse peak RSS under load (MB)',
      requestsPerSecond: 0,
      p50: 0,
      p99: 0,
      errors: 0,
      target: '<= 150 MB',
      ratio: Math.round(peakRss),
      pass: peakRss <= 150,
    });

    printTable(rows);
    const results = {
      date: new Date().toISOString(),
      node: process.version,
      cores: CORES,
      durationSeconds: DURATION,
      connections: CONNECTIONS,
      peakRssMb: Math.round(peakRss * 10) / 10,
      rows,
    };
    const dir = join(ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `bench-${results.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`\nresults written to ${file}\n`);
    if (rows.some((r) => r.pass === false)) process.exitCode = 1;
  } finally {
    if (sampler) clearInterval(sampler);
    for (const server of servers) server.child.kill('SIGTERM');
    const keys = await redis.keys(`${PREFIX}*`);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    redis.disconnect();
  }
}

function printTable(rows: Row[]): void {
  const header = ['', 'scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'ratio / value', 'target', 'ok'];
  const body = rows.map((r) => [
    r.id,
    r.scenario,
    r.requestsPerSecond ? String(r.requestsPerSecond) : '',
    r.requestsPerSecond ? String(r.p50) : '',
    r.requestsPerSecond ? String(r.p99) : '',
    String(r.errors),
    r.ratio === undefined ? '' : r.id === 'P5' ? `${r.ratio} MB` : r.ratio.toFixed(2),
    r.target,
    r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write(`\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`);
  for (const b of body) process.stdout.write(`${line(b)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
