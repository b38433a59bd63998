import { randomFill } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { threadPoolSize } from './thread-pool';

/**
 * argon2 runs on libuv's thread pool. While hashes fill every CPU, a thread woken by a reply (the
 * event loop, or Redis for the logins themselves) waits for a CPU behind them. Linux keeps a nice
 * value per thread, so the pool's threads can be given a lower CPU priority than the rest of the
 * process: a woken thread then waits less, and the hashes still get every cycle nothing else
 * wants. Nice values only weigh threads of one scheduling group (a container's cgroup, or a
 * session's autogroup) against each other; other groups share by their own weights. Everything
 * else on the pool (file system calls, dns.lookup of a host name) runs at the lower priority too.
 *
 * libuv starts the pool on the first piece of work queued, all its threads at once, and waits
 * until each has started before the queuing call returns (uv_queue_work, init_threads). So the
 * threads that appear across queuing one piece of work are the pool. The work is crypto's (file
 * system calls may go through io_uring instead, UV_USE_IO_URING), and kernel io_uring workers
 * (iou-*), which come and go by themselves, are left out. This must run before anything else in
 * the process has queued work: a preloaded module (node --require or --import, also through
 * NODE_OPTIONS) that did so leaves the pool as it is, and the result says why.
 */
export type PoolPriority =
  | { readonly lowered: true; readonly threads: readonly number[]; readonly nice: number }
  | { readonly lowered: false; readonly reason: string };

/** What lowerThreadPoolPriority needs from the system; tests pass their own. */
export interface ThreadControl {
  /** The ids of the process's threads, but the kernel's io_uring workers; null where the system cannot list them. */
  threads(): number[] | null;
  /** Queues one piece of work on the thread pool (starting it if it has not started). */
  queueWork(): void;
  nice(tid: number): number;
  setNice(tid: number, nice: number): void;
}

/** Linux: /proc/self/task lists the threads; a thread id is a pid for setpriority(2). */
export const linuxThreads: ThreadControl = {
  threads() {
    let tids: string[];
    try {
      tids = readdirSync('/proc/self/task');
    } catch {
      return null;
    }
    return tids.filter((tid) => !threadName(tid).startsWith('iou-')).map(Number);
  },
  queueWork: () => randomFill(Buffer.alloc(1), () => {}),
  nice: (tid) => getPriority(tid),
  setNice: (tid, nice) => setPriority(tid, nice),
};

/** A thread's name ('' once it has ended). */
function threadName(tid: string): string {
  try {
    return readFileSync(`/proc/self/task/${tid}/comm`, 'utf8');
  } catch {
    return '';
  }
}

/** The highest nice value (the lowest priority) Linux has. */
const LOWEST = 19;

/**
 * Raises the nice value of the libuv thread pool's threads by `by` (at most to 19): lower CPU
 * priority for argon2 than for request handling. `by` 0 changes nothing. `poolSize` is how many
 * threads libuv starts; anything else appearing is a reason to change nothing.
 */
export function lowerThreadPoolPriority(by: number, poolSize = threadPoolSize(), control: ThreadControl = linuxThreads): PoolPriority {
  if (by === 0) return { lowered: false, reason: 'ARGON2_NICE is 0' };
  const before = control.threads();
  if (before === null) return { lowered: false, reason: 'the threads of this process cannot be listed here (no /proc/self/task)' };
  control.queueWork();
  const known = new Set(before);
  const pool = (control.threads() ?? []).filter((tid) => !known.has(tid));
  if (pool.length === 0) return { lowered: false, reason: 'the thread pool had started before gatehouse could tell its threads apart' };
  if (pool.length !== poolSize) {
    return { lowered: false, reason: `${pool.length} threads started with the thread pool, not the ${poolSize} it has` };
  }
  let nice = 0;
  const refused: string[] = [];
  for (const tid of pool) {
    try {
      nice = Math.min(LOWEST, control.nice(tid) + by);
      control.setNice(tid, nice);
    } catch (err) {
      refused.push((err as Error).message);
    }
  }
  if (refused.length > 0) {
    return {
      lowered: false,
      reason: `the system refused for ${refused.length} of the pool's ${pool.length} threads: ${refused[0]}`,
    };
  }
  return { lowered: true, threads: pool, nice };
}
