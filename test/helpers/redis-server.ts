import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private redis-server started by a test, with its own port and data directory. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** The running redis-server (a new one after restart). */
  readonly process: ChildProcess;
  /** Stops the server and removes its data directory (unless the caller gave it). */
  stop(): Promise<void>;
  /** kill -9: the server dies at once, keeping its data directory. */
  kill(): Promise<void>;
  /** SIGSTOP: the server stops reading and answering; connections stay open. */
  freeze(): void;
  /** SIGCONT after freeze. */
  thaw(): void;
  /** Starts redis-server again on the same port and data directory, with the same options. */
  restart(): Promise<void>;
}

export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

/** `describe` when redis-server is installed; skipped with a notice otherwise, failing under CI=true. */
export function describeWithRedisServer(name: string, fn: () => void): void {
  if (redisServerInstalled()) return describe(name, fn);
  if (process.env.CI === 'true') throw new Error('CI=true but redis-server is not installed: the fault tests need it');
  process.stdout.write('NOTICE: redis-server is not installed; fault-injection tests are skipped.\n');
  return describe.skip(name, fn);
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts redis-server on a free loopback port; `args` are extra redis-server options. */
export async function startRedisServer(args: string[] = [], dir?: string): Promise<RedisServer> {
  const port = await freePort();
  const dataDir = dir ?? mkdtempSync(join(tmpdir(), 'gatehouse-redis-'));
  const launch = async () => {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--save', '', '--appendonly', 'no', ...args],
      { stdio: 'ignore' },
    );
    await waitForPort(port, 10_000);
    return child;
  };
  let child = await launch();
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir: dataDir,
    get process() {
      return child;
    },
    async stop() {
      await kill();
      if (dir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
    kill,
    freeze: () => child.kill('SIGSTOP'),
    thaw: () => child.kill('SIGCONT'),
    async restart() {
      await kill();
      child = await launch();
    },
  };
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // PONG only once the data set is loaded (LOADING before that).
    const ok = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG';
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
