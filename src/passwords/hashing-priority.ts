import { readdirSync, stat } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * argon2 runs on libuv's thread pool. While hashes fill every CPU, the event loop (and the Redis
 * round trips of the logins themselves) woken by a reply wait for a CPU behind them: measured,
 * each of a login's two round trips took 0.9 ms at two logins at once on two cores, against
 * 0.2 ms on an idle machine. Linux keeps a nice value per thread, so the pool's threads can be
 * given a lower CPU priority than the rest of the process: then a woken thread runs at once, and
 * the hashes still get every cycle nothing else wants.
 *
 * libuv starts the pool on the first piece of work queued, all its threads at once, and waits
 * until each has started before the queuing call returns (uv_queue_work, init_threads). So the
 * threads that appear across queuing one file check are the pool. This must run before anything
 * else in the process has queued work; afterwards nothing appears and nothing is changed.
 */
export type PoolPriority =
  | { readonly lowered: true; readonly threads: number; readonly nice: number }
  | { readonly lowered: false; readonly reason: string };

/** What lowerThreadPoolPriority needs from the system; tests pass their own. */
export interface ThreadControl {
  /** The ids of the process's threads, or null where the system cannot list them. */
  threads(): number[] | null;
  /** Queues one piece of work on the thread pool (starting it if it has not started). */
  queueWork(): void;
  nice(tid: number): number;
  setNice(tid: number, nice: number): void;
}

/** Linux: /proc/self/task lists the threads; a thread id is a pid for setpriority(2). */
export const linuxThreads: ThreadControl = {
  threads() {
    try {
      return readdirSync('/proc/self/task').map(Number);
    } catch {
      return null;
    }
  },
  queueWork: () => stat('/', () => {}),
  nice: (tid) => getPriority(tid),
  setNice: (tid, nice) => setPriority(tid, nice),
};

/** The highest nice value (the lowest priority) Linux has. */
const LOWEST = 19;

/**
 * Raises the nice value of the libuv thread pool's threads by `by` (at most to 19): lower CPU
 * priority for argon2 than for request handling. `by` 0 changes nothing.
 */
export function lowerThreadPoolPriority(by: number, control: ThreadControl = linuxThreads): PoolPriority {
  if (by === 0) return { lowered: false, reason: 'ARGON2_NICE is 0' };
  const before = control.threads();
  if (before === null) return { lowered: false, reason: 'the threads of this process cannot be listed here (no /proc/self/task)' };
  control.queueWork();
  const known = new Set(before);
  const pool = (control.threads() ?? []).filter((tid) => !known.has(tid));
  if (pool.length === 0) return { lowered: false, reason: 'the thread pool had started before gatehouse could tell its threads apart' };
  let nice = 0;
  try {
    for (const tid of pool) {
      nice = Math.min(LOWEST, control.nice(tid) + by);
      control.setNice(tid, nice);
    }
  } catch (err) {
    return { lowered: false, reason: `the system refused: ${(err as Error).message}` };
  }
  return { lowered: true, threads: pool.length, nice };
}
