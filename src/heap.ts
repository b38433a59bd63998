import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full collection left alive before
 * it collects again, as a percentage (HEAP_GROWTH_PERCENT; 0 leaves V8's own heuristic).
 *
 * V8's heuristic lets a heap grow to between 1.1 and 4 times its live size, on this machine
 * about 2.5 times: under load gatehouse's old generation went from ~27 MB live to ~70 MB of
 * mostly dead request objects, and RSS peaked at 171 to 175 MB on GET /dashboard/. With the
 * growth held to 20 to 50 %, the same load peaked at 121 to 125 MB at the same throughput
 * (measured here; `npm run bench` checks the peak). The flag is read whenever V8 sets its next
 * limit, so setting it at start-up takes effect from the first full collection. A
 * --heap-growing-percent given to node itself (command line or NODE_OPTIONS) is left alone.
 */
export function limitHeapGrowth(
  percent: number,
  given: { execArgv: readonly string[]; nodeOptions: string | undefined } = {
    execArgv: process.execArgv,
    nodeOptions: process.env.NODE_OPTIONS,
  },
  setFlags: (flags: string) => void = setFlagsFromString,
): boolean {
  if (percent === 0) return false;
  const explicit = /--heap[-_]growing[-_]percent\b/;
  if (given.execArgv.some((arg) => explicit.test(arg)) || explicit.test(given.nodeOptions ?? '')) return false;
  setFlags(`--heap-growing-percent=${percent}`);
  return true;
}
