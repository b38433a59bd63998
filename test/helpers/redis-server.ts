import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { missingPrerequisite } from './prerequisite';

const execFileAsync = promisify(execFile);

/** A private redis-server (or Sentinel) started by a test, with its own port and data directory. */
export interface RedisServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  /** The running redis-server (a new one after restart). */
  readonly process: ChildProcess;
  /** What the server logged so far (its logfile, redis.log in its directory), for diagnosing failures. */
  log(): string;
  /** Runs redis-cli against this server (with its TLS and auth options) and returns stdout. */
  cli(...args: string[]): Promise<string>;
  /** Stops the server (SIGKILL: no shutdown save) and removes its data directory (unless the caller gave it). */
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

/** How a test server is reached beyond host and port: TLS files and a password for redis-cli. */
export interface ServerAccess {
  /** The server listens with TLS only (tls-port), on these files. */
  readonly tls?: { ca: string; cert: string; key: string } | undefined;
  /** redis-cli authenticates with this user and password (e.g. ACL tests). */
  readonly auth?: { user: string; password: string } | undefined;
}

export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

/** `describe` for tests that start redis-server themselves; fails when it is not installed. */
export function describeWithRedisServer(name: string, fn: () => void): void {
  if (!redisServerInstalled()) {
    missingPrerequisite('redis-server and redis-cli (for the fault and scale-out tests)', 'apt-get install redis-server');
  }
  describe(name, fn);
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

/** redis-server options that make it listen on `port`, with TLS only when `access.tls` is set. */
export function listenArgs(port: number, access: ServerAccess = {}): string[] {
  if (access.tls === undefined) return ['--port', String(port)];
  const { ca, cert, key } = access.tls;
  return [
    ...['--port', '0', '--tls-port', String(port)],
    ...['--tls-cert-file', cert, '--tls-key-file', key, '--tls-ca-cert-file', ca],
    // Server and client certificates come from the same test CA; clients need not present one.
    ...['--tls-auth-clients', 'optional'],
  ];
}

/**
 * Runs `start` again (at most `attempts` times in all) when the server it starts exits at once:
 * a port found free can be taken by another test process before redis-server binds it.
 */
export async function retryWhenTaken<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= attempts || !/redis-server on port \d+ exited/.test((err as Error).message)) throw err;
    }
  }
}

/** Starts redis-server on a free loopback port; `args` are extra redis-server options. */
export function startRedisServer(args: string[] = [], dir?: string, access: ServerAccess = {}): Promise<RedisServer> {
  return retryWhenTaken(async () => {
    const port = await freePort();
    const dataDir = dir ?? mkdtempSync(join(tmpdir(), 'gatehouse-redis-'));
    const argv = [
      ...listenArgs(port, access),
      ...['--bind', '127.0.0.1', '--dir', dataDir, '--logfile', 'redis.log', '--save', '', '--appendonly', 'no'],
      ...args,
    ];
    return spawnRedis(argv, { port, dir: dataDir, removeDir: dir === undefined, access });
  });
}

/**
 * Spawns redis-server with `argv` (which must make it listen on `port` and log to redis.log in
 * `dir`), waits until it answers and returns its handle. Kills it again if it does not answer
 * in time.
 */
export async function spawnRedis(
  argv: string[],
  { port, dir, removeDir, access = {} }: { port: number; dir: string; removeDir: boolean; access?: ServerAccess },
): Promise<RedisServer> {
  const cli = async (...args: string[]) => {
    const { stdout } = await execFileAsync('redis-cli', [...cliAccess(port, access), ...args], { encoding: 'utf8', timeout: 10_000 });
    return stdout;
  };
  const launch = async () => {
    const child = spawn('redis-server', argv, { stdio: 'ignore' });
    try {
      // PONG only once the data set is loaded (LOADING before that).
      await waitUntil(`redis-server on port ${port} to answer`, 10_000, async () => {
        if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${child.exitCode}`);
        return (await cli('ping').catch(() => '')).trim() === 'PONG';
      });
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
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
    url: `${access.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    dir,
    get process() {
      return child;
    },
    log: () => {
      try {
        return readFileSync(join(dir, 'redis.log'), 'utf8');
      } catch {
        return '';
      }
    },
    cli,
    async stop() {
      await kill();
      if (removeDir) rmSync(dir, { recursive: true, force: true });
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

/** redis-cli options that reach a server on `port` with `access`. */
export function cliAccess(port: number, access: ServerAccess = {}): string[] {
  const args = ['-h', '127.0.0.1', '-p', String(port)];
  if (access.tls) args.push('--tls', '--cacert', access.tls.ca, '--cert', access.tls.cert, '--key', access.tls.key);
  if (access.auth) args.push('--user', access.auth.user, '--pass', access.auth.password, '--no-auth-warning');
  return args;
}

/** Polls `check` every 50 ms until it returns true; rejects naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops every server, even when some fail to stop. */
export async function stopAll(servers: readonly RedisServer[]): Promise<void> {
  await Promise.allSettled(servers.map((s) => s.stop()));
}
