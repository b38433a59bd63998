import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { launchers, startGatehouse, type GatehouseProcess } from '../helpers/gatehouse-process';

interface ThreadState {
  readonly tid: number;
  readonly nice: number;
  /** Time spent on a CPU, in ms (schedstat). */
  readonly cpuMs: number;
}

/** Every thread of process `pid`, with its nice value and CPU time. */
function threadsOf(pid: number): ThreadState[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const cpuNs = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return { tid: Number(tid), nice: Number(stat[16]), cpuMs: cpuNs / 1e6 };
  });
}

/** gatehouse's `argon2_priority` start-up line. */
function priorityLine(gatehouse: GatehouseProcess): { nice: number | null; threads?: number[]; msg: string } {
  const line = gatehouse
    .output()
    .split('\n')
    .find((l) => l.includes('"event":"argon2_priority"'));
  if (line === undefined) throw new Error(`no argon2_priority line in:\n${gatehouse.output()}`);
  return JSON.parse(line) as { nice: number; threads?: number[]; msg: string };
}

/** ARGON2_NICE reaches libuv's thread pool at `serve` start, in each way gatehouse ships. */
describe.each(launchers())('ARGON2_NICE, gatehouse run as %s', (_, command) => {
  const own = getPriority();
  const lowered = Math.min(19, own + 10);

  test("argon2 runs on the pool's threads at nice +10 by default; request handling keeps the process's priority", async () => {
    const gatehouse = await startGatehouse({ LOG_LEVEL: 'debug', LOG_FORMAT: 'json' }, command);
    try {
      const line = priorityLine(gatehouse);
      expect(line).toMatchObject({ nice: lowered, msg: `argon2's 4 threads run at nice ${lowered}` });
      const pool = new Set(line.threads);
      expect(pool.size).toBe(4);
      const pid = gatehouse.child.pid!;
      const before = threadsOf(pid);
      expect(before.filter((t) => pool.has(t.tid)).map((t) => t.nice)).toEqual([lowered, lowered, lowered, lowered]);
      expect(pool.has(pid)).toBe(false);
      expect(before.filter((t) => !pool.has(t.tid)).every((t) => t.nice === own)).toBe(true);

      // Two argon2 hashes (register) and two verifies (logins): their CPU time lands on those threads.
      const credentials = { username: 'nice', password: 'a password for the priority test' };
      const basic = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      const registered = await fetch(`${gatehouse.url}/register/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(credentials),
      });
      expect(registered.status).toBe(201);
      for (let i = 0; i < 2; i += 1) {
        expect((await fetch(`${gatehouse.url}/login/`, { method: 'POST', headers: { Authorization: basic } })).status).toBe(200);
      }
      const gained = (tids: Set<number>) =>
        threadsOf(pid)
          .filter((t) => tids.has(t.tid))
          .reduce((sum, t) => sum + t.cpuMs - (before.find((b) => b.tid === t.tid)?.cpuMs ?? 0), 0);
      // argon2id with m=19456 KiB, t=2 takes several ms of CPU per call, four calls here.
      expect(gained(pool)).toBeGreaterThan(15);
    } finally {
      expect(await gatehouse.stop()).toBe(0);
    }
  });

  test('0 leaves every thread at the priority gatehouse was started with', async () => {
    const gatehouse = await startGatehouse({ LOG_LEVEL: 'debug', LOG_FORMAT: 'json', ARGON2_NICE: '0' }, command);
    try {
      expect(priorityLine(gatehouse)).toMatchObject({ nice: null, msg: "argon2's threads were left at the process's priority: ARGON2_NICE is 0" });
      expect(threadsOf(gatehouse.child.pid!).every((t) => t.nice === own)).toBe(true);
    } finally {
      expect(await gatehouse.stop()).toBe(0);
    }
  });

  test('a value out of range stops the start with a message naming the setting', async () => {
    await expect(startGatehouse({ ARGON2_NICE: '20' }, command)).rejects.toThrow(/ARGON2_NICE.*at most 19/s);
  });
});
