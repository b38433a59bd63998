import { loadConfig, type Config } from '../config/load';
import { limitHeapGrowth, limitYoungGeneration } from '../heap';
import { createLogger } from '../log';
import { lowerThreadPoolPriority } from '../passwords/hashing-priority';
import { startServer, type RunningServer } from '../server';

/** `gatehouse serve`: run until SIGTERM or SIGINT, then shut down cleanly and exit 0. */
export async function serve(configFile: string | undefined): Promise<void> {
  const config = loadConfig({ file: configFile });
  const heapGrowthSet = limitHeapGrowth(config.HEAP_GROWTH_PERCENT);
  // Before anything queues work on the thread pool: its threads are told apart as it starts.
  const hashing = lowerThreadPoolPriority(config.ARGON2_NICE);
  const log = createLogger(config.LOG_LEVEL, undefined, config.LOG_FORMAT);
  if (hashing.lowered) {
    const count = hashing.threads.length;
    log.debug(
      { event: 'argon2_priority', nice: hashing.nice, threads: hashing.threads },
      `argon2's ${count} thread${count === 1 ? '' : 's'} run at nice ${hashing.nice}`,
    );
  } else {
    // Expected where it is off, or where there is no per-thread priority to set (not Linux).
    const level = config.ARGON2_NICE === 0 || process.platform !== 'linux' ? 'debug' : 'warn';
    log[level]({ event: 'argon2_priority', nice: null }, `argon2's threads were left at the process's priority: ${hashing.reason}`);
  }
  log.debug(
    { event: 'heap_growth', percent: heapGrowthSet ? config.HEAP_GROWTH_PERCENT : null },
    heapGrowthSet ? `V8 heap growth set to ${config.HEAP_GROWTH_PERCENT} %` : "V8 heap growth left to V8 or to node's own flag",
  );
  // After the token worker has been started (src/server.ts says why), before the first request.
  const holdYoungGeneration = () => {
    const youngHeld = limitYoungGeneration(config.SEMI_SPACE_MB) !== null;
    log.debug(
      { event: 'semi_space', mb: youngHeld ? config.SEMI_SPACE_MB : null },
      youngHeld ? `V8 semi-space held to ${config.SEMI_SPACE_MB} MB` : "V8 semi-space left to V8 or to node's own flag",
    );
  };
  let running: RunningServer | undefined;
  let stopping = false;

  // Logs are written in batches: let the last ones (such as "stopped") out before exiting.
  const exit = (code: number) => {
    setTimeout(() => process.exit(code), 1000).unref();
    log.flush(() => process.exit(code));
  };
  const shutDown = (server: RunningServer) =>
    server.close().then(
      () => exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'stopping', signal }, `received ${signal}, shutting down`);
    // A signal during start-up is acted on as soon as the server is up (below).
    if (running !== undefined) void shutDown(running);
  };
  // Before listening: a SIGTERM that arrives right after start-up must not kill the process
  // with the default action, skipping the clean shutdown.
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  try {
    running = await startServer({ config, log, beforeListening: holdYoungGeneration });
  } catch (err) {
    throw listenFailure(err, config) ?? err;
  }
  if (stopping) void shutDown(running);
}

/** A listener could not be opened for a reason the settings or the machine explain: no stack trace. */
export class ListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListenError';
  }
}

/** What each error that listening can meet means, in the words of the settings. */
const LISTEN_PROBLEMS: Record<string, (port: number) => string> = {
  EADDRINUSE: () => 'the address is already in use',
  EACCES: (port) => (port > 0 && port < 1024 ? 'permission denied (ports below 1024 need privileges)' : 'permission denied'),
  EADDRNOTAVAIL: () => 'this machine has no such address (HOST)',
  // From looking HOST up, before listening.
  ENOTFOUND: () => 'no such host (HOST)',
  EAI_AGAIN: () => 'the host name could not be looked up, DNS did not answer (HOST)',
};

/**
 * The one-line ListenError for an error of listening on HOST:PORT or HOST:METRICS_PORT, or null
 * for any other error (whose stack is then printed, as for any failure nobody foresaw).
 */
export function listenFailure(err: unknown, config: Pick<Config, 'HOST' | 'PORT' | 'METRICS_PORT'>): ListenError | null {
  if (!(err instanceof Error)) return null;
  const { code, syscall, hostname, port } = err as NodeJS.ErrnoException & { hostname?: string; port?: number };
  const ours = syscall === 'listen' || (syscall === 'getaddrinfo' && hostname === config.HOST);
  const problem = code === undefined ? undefined : LISTEN_PROBLEMS[code];
  if (!ours || problem === undefined) return null;
  // The main listener opens first: a HOST that fails (a lookup's error names no port) fails it.
  // Equal ports are refused by the settings, but for 0 (any free port), which nothing else holds.
  const metrics = port !== undefined && port === config.METRICS_PORT && port !== config.PORT;
  const listening = metrics ? port : config.PORT;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return new ListenError(
    `cannot listen on ${host}:${listening}${metrics ? ' for metrics (METRICS_PORT)' : ''}: ${problem(listening)}`,
  );
}
