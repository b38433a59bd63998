import { execFileSync } from 'node:child_process';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { lowerThreadPoolPriority, type ThreadControl } from '../../src/passwords/hashing-priority';
import { bundleChildScript } from '../helpers/child-script';

/** A process whose thread pool starts with `pool` new threads when work is first queued. */
function fakeProcess(existing: Record<number, number>, pool: number[], startsAt = 'first work') {
  const nice = new Map(Object.entries(existing).map(([tid, value]) => [Number(tid), value]));
  const set: [number, number][] = [];
  let started = startsAt !== 'first work';
  if (started) for (const tid of pool) nice.set(tid, 0);
  const control: ThreadControl = {
    threads: () => [...nice.keys()],
    queueWork() {
      if (started) return;
      started = true;
      for (const tid of pool) nice.set(tid, nice.get(100) ?? 0); // a new thread inherits its creator's
    },
    nice: (tid) => nice.get(tid)!,
    setNice(tid, value) {
      set.push([tid, value]);
      nice.set(tid, value);
    },
  };
  return { control, nice, set };
}

describe('lowerThreadPoolPriority', () => {
  test('raises the nice value of exactly the threads that start with the pool', () => {
    const { control, nice, set } = fakeProcess({ 100: 0, 101: 0, 102: 0 }, [110, 111, 112, 113]);
    expect(lowerThreadPoolPriority(10, 4, control)).toEqual({ lowered: true, threads: [110, 111, 112, 113], nice: 10 });
    expect(set).toEqual([
      [110, 10],
      [111, 10],
      [112, 10],
      [113, 10],
    ]);
    expect([100, 101, 102].map((tid) => nice.get(tid))).toEqual([0, 0, 0]);
  });

  test("adds to the process's own nice value, up to 19", () => {
    const { control, nice } = fakeProcess({ 100: 12 }, [110, 111]);
    expect(lowerThreadPoolPriority(10, 2, control)).toEqual({ lowered: true, threads: [110, 111], nice: 19 });
    expect(nice.get(110)).toBe(19);
    expect(nice.get(100)).toBe(12);
  });

  test('0 changes nothing and does not start the pool', () => {
    const { control, set, nice } = fakeProcess({ 100: 0 }, [110]);
    expect(lowerThreadPoolPriority(0, 1, control)).toEqual({ lowered: false, reason: 'ARGON2_NICE is 0' });
    expect(set).toEqual([]);
    expect(nice.has(110)).toBe(false);
  });

  test('a pool started earlier cannot be told apart: nothing is changed, and the result says why', () => {
    const { control, set } = fakeProcess({ 100: 0 }, [110, 111], 'before');
    expect(lowerThreadPoolPriority(10, 2, control)).toEqual({
      lowered: false,
      reason: 'the thread pool had started before gatehouse could tell its threads apart',
    });
    expect(set).toEqual([]);
  });

  test('a system without /proc/self/task, or one that refuses, leaves the priority as it is', () => {
    const none: ThreadControl = { threads: () => null, queueWork: jest.fn(), nice: () => 0, setNice: jest.fn() };
    expect(lowerThreadPoolPriority(10, 4, none)).toEqual({
      lowered: false,
      reason: 'the threads of this process cannot be listed here (no /proc/self/task)',
    });
    expect(none.setNice).not.toHaveBeenCalled();

    const { control, nice } = fakeProcess({ 100: 0 }, [110, 111]);
    const setNice = control.setNice;
    control.setNice = (tid, value) => {
      if (tid === 110) throw new Error('EACCES: permission denied');
      setNice(tid, value);
    };
    expect(lowerThreadPoolPriority(10, 2, control)).toEqual({
      lowered: false,
      reason: "the system refused for 1 of the pool's 2 threads: EACCES: permission denied",
    });
    // The others are still lowered: the result says the pool is not wholly at the priority asked for.
    expect(nice.get(111)).toBe(10);
  });

  test('more or fewer new threads than the pool has: something else started meanwhile, nothing is changed', () => {
    const { control, set } = fakeProcess({ 100: 0 }, [110, 111, 112]);
    expect(lowerThreadPoolPriority(10, 4, control)).toEqual({
      lowered: false,
      reason: '3 threads started with the thread pool, not the 4 it has',
    });
    expect(set).toEqual([]);
  });
});

// The real thing, in a fresh process (this one's pool has long started): the threads told apart
// are libuv's pool, and work queued on the pool (here pbkdf2, as argon2's) runs on them.
describe('on Linux, in a new process', () => {
  const script = bundleChildScript(`
    const { readdirSync, readFileSync } = require('node:fs');
    const { pbkdf2 } = require('node:crypto');
    const { lowerThreadPoolPriority } = require(${JSON.stringify(join(__dirname, '../../src/passwords/hashing-priority.ts'))});
    // Per thread: nice value (stat field 19) and time on a CPU in ns (schedstat).
    const threads = () => Object.fromEntries(readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ');
      return [tid, { nice: Number(stat[16]), cpuNs: Number(readFileSync('/proc/self/task/' + tid + '/schedstat', 'utf8').split(' ')[0]) }];
    }));
    const result = lowerThreadPoolPriority(Number(process.argv[2]));
    const before = threads();
    // Four at once: whichever pool threads take them, each does about the same work.
    let left = 4;
    for (let i = 0; i < 4; i += 1) pbkdf2('password', 'salt', 200000, 32, 'sha256', () => {
      if (--left > 0) return;
      const after = threads();
      const report = Object.entries(after).map(([tid, t]) => ({ tid: Number(tid), nice: t.nice, cpuMs: (t.cpuNs - (before[tid]?.cpuNs ?? 0)) / 1e6 }));
      process.stdout.write(JSON.stringify({ result, pid: process.pid, threads: report }));
    });
  `);
  interface Report {
    result: { lowered: boolean; threads?: number[]; nice?: number; reason?: string };
    pid: number;
    threads: { tid: number; nice: number; cpuMs: number }[];
  }
  // Only PATH and the test's own: UV_THREADPOOL_SIZE or NODE_OPTIONS from outside would change the pool.
  const run = (by: number, env: Record<string, string> = {}): Report =>
    JSON.parse(execFileSync(process.execPath, [script, String(by)], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' })) as Report;

  // The nice value this test runs at (0 unless the whole run was started with `nice`).
  const own = getPriority();

  test("the pool's threads run 10 nicer, and its work runs on them; the rest of the process keeps its own", () => {
    const { result, pid, threads } = run(10);
    expect(result).toEqual({ lowered: true, threads: expect.any(Array), nice: Math.min(19, own + 10) });
    const pool = new Set(result.threads);
    expect(pool.size).toBe(4);
    expect(pool.has(pid)).toBe(false);
    const lowered = threads.filter((t) => pool.has(t.tid));
    const others = threads.filter((t) => !pool.has(t.tid));
    expect(lowered.map((t) => t.nice)).toEqual([0, 1, 2, 3].map(() => Math.min(19, own + 10)));
    expect(others.every((t) => t.nice === own)).toBe(true);
    // pbkdf2 x 4 took its CPU time on the lowered threads, not on any other.
    const onPool = lowered.reduce((sum, t) => sum + t.cpuMs, 0);
    const elsewhere = others.reduce((sum, t) => sum + t.cpuMs, 0);
    expect(onPool).toBeGreaterThan(50);
    expect(onPool).toBeGreaterThan(5 * elsewhere);
  });

  test('finds the pool when file system calls go through io_uring instead of the pool', () => {
    const { result, threads } = run(10, { UV_USE_IO_URING: '1' });
    expect(result).toEqual({ lowered: true, threads: expect.any(Array), nice: Math.min(19, own + 10) });
    expect(result.threads).toHaveLength(4);
    expect(threads.filter((t) => result.threads!.includes(t.tid)).every((t) => t.nice === Math.min(19, own + 10))).toBe(true);
  });

  test('follows UV_THREADPOOL_SIZE, and 0 leaves every thread as it was', () => {
    expect(run(5, { UV_THREADPOOL_SIZE: '2' }).result).toEqual({ lowered: true, threads: [expect.any(Number), expect.any(Number)], nice: Math.min(19, own + 5) });
    const untouched = run(0);
    expect(untouched.result).toEqual({ lowered: false, reason: 'ARGON2_NICE is 0' });
    expect(untouched.threads.every((t) => t.nice === own)).toBe(true);
  });
});
