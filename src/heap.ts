import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

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
 * their cache. The young-generation hold below sets a flag as gatehouse starts to load, so the
 * built-ins a start uses are loaded just before it (src/startup-builtins.ts). Loaded after it
 * instead, 10 built-ins took 24 ms instead of 10 (measured 2026-11-29), and the single
 * executable's launch to ready was 15 to 30 ms longer (2026-12-07). The single executable's own
 * cache is made with no flag set (scripts/build-binary.mjs).
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
  // Node refuses this one in NODE_OPTIONS: only its command line counts.
  if (givenToNode(/^--heap[-_]growing[-_]percent\b/, execArgv)) return false;
  setFlags(remember('heap-growing-percent', `--heap-growing-percent=${percent}`));
  return true;
}

// The V8 flags gatehouse set at run time, by name, as last set.
const applied = new Map<string, string>();
const remember = (name: string, flag: string): string => {
  applied.set(name, flag);
  return flag;
};

/**
 * Sets again every V8 flag set by the functions here, as last set. V8 raises the young
 * generation's growth factor to at least 2 when it sets up a new isolate, as for a worker thread
 * (measured: with the factor held at 1, the main thread's young generation went from 8 to 16 MB
 * per semi-space within a second of a worker starting). The token worker calls this once it
 * runs (src/server.ts).
 */
export function reapplyHeapFlags(setFlags: (flags: string) => void = setFlagsFromString): void {
  for (const flag of applied.values()) setFlags(flag);
}

const MiB = 1024 * 1024;
// V8's own --semi-space-growth-factor.
const V8_GROWTH_FACTOR = 2;
const SEMI_SPACE_FLAG = /^--(max|min)[-_]semi[-_]space[-_]size\b/;

let heldAtStart = false;

/** True when node itself was given a V8 flag matching `flag`, on its command line or in NODE_OPTIONS. */
function givenToNode(flag: RegExp, execArgv: readonly string[], nodeOptions = ''): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((arg) => flag.test(arg));
}

/**
 * Keeps V8's young generation at its initial size (1 MB per semi-space) from the start of
 * gatehouse on (right after node's built-ins are loaded, src/startup-builtins.ts), until
 * `limitYoungGeneration` lets it grow at `serve` start. Without this, loading the bundle alone
 * grows it to 8 to 16 MB per semi-space, and V8 never gives that back while the process is busy.
 * SEMI_SPACE_MB=0 in the environment (or node's own flag) leaves it alone.
 */
export function holdYoungGenerationAtStart(
  env: NodeJS.ProcessEnv = process.env,
  execArgv: readonly string[] = process.execArgv,
  setFlags: (flags: string) => void = setFlagsFromString,
): boolean {
  if (env.SEMI_SPACE_MB?.trim() === '0' || givenToNode(SEMI_SPACE_FLAG, execArgv, env.NODE_OPTIONS)) return false;
  setFlags(remember('semi-space-growth-factor', '--semi-space-growth-factor=1'));
  heldAtStart = true;
  return true;
}

export interface YoungGenerationProbe {
  /** Bytes of V8's young generation now (both semi-spaces). */
  newSpaceBytes(): number;
  /** Calls `listener` after every garbage collection; returns a function that stops it. */
  afterEachGc(listener: () => void): () => void;
  setFlags(flags: string): void;
}

const v8Probe: YoungGenerationProbe = {
  newSpaceBytes: () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0,
  afterEachGc(listener) {
    const observer = new PerformanceObserver(listener);
    observer.observe({ entryTypes: ['gc'] });
    return () => observer.disconnect();
  },
  setFlags: setFlagsFromString,
};

/**
 * Holds V8's young generation to `maxSemiSpaceMb` per semi-space (SEMI_SPACE_MB; 0 leaves V8's
 * own limit, 16 MB), as `node --max-semi-space-size` would, but set from within: the single
 * executable cannot be given node flags, and any flag given at start makes V8 refuse its code
 * cache. V8 reads only its growth factor at run time, so after every collection the factor is
 * set so that the next growth ends at the cap, and to 1 (no growth) once it is reached.
 *
 * Unlike the node flag, it is not a hard limit: Node reports collections a turn or two of the
 * event loop later, so a single burst of work that makes V8 grow the young generation twice
 * before that can take it past the cap, up to V8's own 16 MB (a reviewer's test did, with one
 * synchronous loop allocating tens of MB). gatehouse's requests allocate about 30 KB each, and
 * the benchmark's peaks (141 to 143 MB) stayed with the cap.
 *
 * Measured with the benchmark's load (`npm run bench` phases): V8 grows the young generation to
 * 16 MB per semi-space on GET /dashboard/, 32 MB of RSS in all, mostly empty; at 8 MB, peak RSS
 * 163 → 147 MB, for 1 to 6 % more CPU per GET request (more frequent scavenges). Returns a
 * function that stops it, or null when nothing is held (0, or node's own flag).
 */
export function limitYoungGeneration(
  maxSemiSpaceMb: number,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
  probe: YoungGenerationProbe = v8Probe,
): (() => void) | null {
  if (givenToNode(SEMI_SPACE_FLAG, execArgv, nodeOptions)) return null;
  if (maxSemiSpaceMb === 0) {
    // Held since start-up (SEMI_SPACE_MB came from a file, not the environment): let V8 grow it.
    if (heldAtStart) probe.setFlags(remember('semi-space-growth-factor', `--semi-space-growth-factor=${V8_GROWTH_FACTOR}`));
    heldAtStart = false;
    return null;
  }
  const cap = maxSemiSpaceMb * MiB;
  let factor = 0;
  const adjust = () => {
    const semiSpace = Math.max(MiB, probe.newSpaceBytes() / 2);
    const next = Math.max(1, Math.floor(cap / semiSpace));
    if (next !== factor) {
      factor = next;
      probe.setFlags(remember('semi-space-growth-factor', `--semi-space-growth-factor=${next}`));
    }
  };
  adjust();
  return probe.afterEachGc(adjust);
}
