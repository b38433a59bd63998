import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full collection left alive before
 * it collects again, as a percentage (HEAP_GROWTH_PERCENT; 0 leaves V8's own heuristic).
 *
 * V8's heuristic picks a factor between 1.1 and 4 by itself; on this machine, under load,
 * gatehouse's old generation went from ~27 MB live to ~70 MB of mostly dead request objects, and
 * RSS peaked at 171 to 175 MB on GET /dashboard/. With the factor set to 1.2 to 1.5 the same load
 * peaked at 121 to 125 MB at the same throughput (measured here; `npm run bench` checks the
 * peak). The flag sets the factor exactly, in place of V8's choice (also where V8 would have
 * chosen less, near its heap limit). It is read whenever V8 sets its next limit, so setting it
 * at start-up takes effect from the first full collection.
 *
 * Setting a V8 flag at run time changes V8's flag hash, and V8 takes a code cache only when the
 * hash it was made with matches: node's own built-in modules loaded afterwards compile without
 * their cache (a few ms each, measured; few load after start-up), and the single executable's
 * cache is made without the flag set (scripts/build-binary.mjs).
 *
 * A --heap-growing-percent given to node itself (`node --heap-growing-percent=N
 * dist/gatehouse.cjs`) is left alone; node does not take it from NODE_OPTIONS.
 */
export function limitHeapGrowth(
  percent: number,
  execArgv: readonly string[] = process.execArgv,
  setFlags: (flags: string) => void = setFlagsFromString,
): boolean {
  if (percent === 0) return false;
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return false;
  setFlags(`--heap-growing-percent=${percent}`);
  return true;
}
