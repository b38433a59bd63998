/**
 * Loads the node built-in modules that a start of gatehouse uses, before gatehouse sets any V8
 * flag (src/heap.ts). Node compiles its built-ins from a code cache embedded in node, and V8
 * takes a code cache only when the flags it was made with match the current ones: once a flag is
 * set at run time, every built-in loaded afterwards is compiled from source. Loaded here, first,
 * they come from the cache. Measured on the single executable with `npm run check:binary`, in 10
 * alternated rounds of 15 launches: round medians of launch to ready 205 to 227 ms before, 188
 * to 198 ms after, each round faster than the one before it by 15 to 30 ms.
 *
 * The list is what a start loads up to its first answer from /readyz, the ones node itself loads
 * on the way included (net's listen loads cluster, which loads child_process and dgram).
 * test/e2e/startup-builtins.test.ts fails when a start (memory or Redis store) loads one that is
 * missing here; one too many only costs its load.
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

for (const name of STARTUP_BUILTINS) process.getBuiltinModule(`node:${name}`);
/**
 * What a Redis store's connection loads (ioredis connects through `tls`, TLS or not): loaded here
 * when STORE=redis is in the environment. A start that takes STORE=redis from a config file loads
 * it after the flags, about 4 ms more; a start with the memory store does not load it at all.
 */
export const REDIS_BUILTINS = ['tls'] as const;

if (process.env.STORE?.trim() === 'redis') for (const name of REDIS_BUILTINS) process.getBuiltinModule(`node:${name}`);
// Loaded by node on first use of what they export.
void process.getBuiltinModule('node:util').parseArgs;
void process.getBuiltinModule('node:buffer').File;
