/**
 * The node built-in modules a start of gatehouse loads, which src/hold-young-generation.ts loads
 * before gatehouse sets its first V8 flag (src/heap.ts). Node compiles its built-ins from a code
 * cache embedded in node, and V8 takes a code cache only when the flags it was made with match
 * the current ones: once a flag is set at run time, every built-in loaded afterwards is compiled
 * from source. Loaded before it, they come from the cache. Measured on the single executable
 * with `npm run check:binary`, in 10 alternated rounds of 15 launches each: round medians of
 * launch to ready 205 to 227 ms without this, 188 to 198 ms with it, lower by 15 to 30 ms in
 * each pair of rounds.
 *
 * The list is what a start loads and uses, from its first line until it exits (its first
 * answers from /readyz and its shutdown included), the ones node loads on the way included:
 * net's listen loads cluster, which loads child_process and dgram.
 * test/e2e/startup-builtins.test.ts fails when a start (memory or Redis store) loads one after
 * the flag that is missing here; one too many only costs its load.
 */
export const STARTUP_BUILTINS = [
  'assert',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'diagnostics_channel',
  'dns',
  'http',
  'module',
  'net',
  'os',
  'process',
  'readline',
  'readline/promises',
  'sea',
  'timers/promises',
  'tty',
  'worker_threads',
] as const;

/**
 * What the Redis store adds: ioredis loads `tls` as it loads, whether or not the connection uses
 * TLS. Loaded first only when STORE=redis is in the environment: a start that takes STORE=redis
 * from a config file loads it after the flag (about 4 ms more), and a start with the memory
 * store does not load it at all.
 */
export const REDIS_BUILTINS = ['tls'] as const;

/** Loads the built-ins above (REDIS_BUILTINS when `env` has STORE=redis). */
export function loadStartupBuiltins(env: NodeJS.ProcessEnv = process.env): void {
  const names = env.STORE?.trim() === 'redis' ? [...STARTUP_BUILTINS, ...REDIS_BUILTINS] : STARTUP_BUILTINS;
  for (const name of names) process.getBuiltinModule(`node:${name}`);
  // `util.parseArgs` and `buffer.File` are lazy getters: reading them loads the internal modules
  // behind them (internal/util/parse_args, internal/file), which the command line and the server
  // would otherwise load after the flag.
  void process.getBuiltinModule('node:util').parseArgs;
  void process.getBuiltinModule('node:buffer').File;
}
