// Checks the targets of the single executable (run by CI after the tests), and fails on either:
//   - dist/gatehouse is at most 100 MB;
//   - launch to ready: the median over LAUNCHES starts, each timed from spawn to the first
//     200 from GET /readyz, is at most 250 ms.
// A median over many launches, so one slow start does not fail the build; and up to ROUNDS
// rounds of them, passing on the first round within the limit: the CI machine is shared, and
// other processes can only add to a start's time, so the lowest round median is the best
// measure of the executable's own start-up. Every round is printed.
// --report-only prints the start-up verdict without failing on it (except above 1 s, which no
// host explains), for a look on a slow or busy workstation: start-up depends on the host (the
// same executable measured 157 ms on one machine and 344 ms on a slower one), and the target is
// the one CI's machine checks.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, readyStatus } from './readiness.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    binary: { type: 'string', default: join(ROOT, 'dist/gatehouse') },
    launches: { type: 'string', default: '15' },
    rounds: { type: 'string', default: '5' },
    'max-mb': { type: 'string', default: '100' },
    'max-ready-ms': { type: 'string', default: '250' },
    'report-only': { type: 'boolean', default: false },
  },
});
const LAUNCHES = Number(values.launches);
const ROUNDS = Number(values.rounds);
const MAX_BYTES = Number(values['max-mb']) * 1e6;
const MAX_READY_MS = Number(values['max-ready-ms']);
const QUIET_IDLE = 90;
const QUIET_WAIT_MS = 20_000;

if (!existsSync(values.binary)) {
  console.error(`check-binary: ${values.binary} is missing (npm run build:binary)`);
  process.exit(1);
}

const failures = [];
const size = statSync(values.binary).size;
console.log(`size: ${(size / 1e6).toFixed(1)} MB (limit ${MAX_BYTES / 1e6} MB)`);
if (size > MAX_BYTES) failures.push(`size ${size} bytes is over ${MAX_BYTES}`);

const medians = [];
for (let round = 1; round <= ROUNDS; round++) {
  const idle = await quietMachine();
  const times = [];
  for (let i = 0; i < LAUNCHES; i++) times.push(await launchToReady(values.binary));
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  medians.push(median);
  console.log(
    `launch to ready, round ${round}, ${LAUNCHES} launches: median ${median.toFixed(0)} ms (limit ${MAX_READY_MS} ms); ` +
      `min ${times[0].toFixed(0)}, max ${times.at(-1).toFixed(0)}; load average ${loadavg()[0].toFixed(2)}, ` +
      `CPU ${idle.toFixed(0)} % idle before the round`,
  );
  if (median <= MAX_READY_MS) break;
}
const best = Math.min(...medians);
if (best <= MAX_READY_MS) {
  console.log(`start-up target met: best round median ${best.toFixed(0)} ms (target ${MAX_READY_MS} ms)`);
} else {
  const missed = `median launch to ready over ${MAX_READY_MS} ms in each of ${ROUNDS} rounds (best ${best.toFixed(0)} ms)`;
  console.log(`start-up TARGET MISSED: ${missed}`);
  if (!values['report-only']) failures.push(missed);
  else if (best > 1000) failures.push('median launch to ready over 1 s: start-up is broken, not slow');
}

if (failures.length > 0) {
  console.error(`check-binary: FAILED\n  - ${failures.join('\n  - ')}`);
  process.exit(1);
}
console.log(best <= MAX_READY_MS ? 'check-binary: ok' : 'check-binary: passed, with the start-up target missed (--report-only)');

/** Idle and total CPU time so far, from /proc/stat (all CPUs). */
function cpuTimes() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: fields[3] + fields[4], total: fields.reduce((a, b) => a + b, 0) };
}

/**
 * Waits (at most QUIET_WAIT_MS) for half a second in which the CPUs are at least QUIET_IDLE %
 * idle, and returns the last half second's idle percentage: run right after the test suite, the
 * machine is still busy with what the tests left winding down (servers stopping, caches being
 * written back), and that would be measured as the executable's start-up.
 */
async function quietMachine() {
  const started = performance.now();
  for (;;) {
    const before = cpuTimes();
    await new Promise((r) => setTimeout(r, 500));
    const after = cpuTimes();
    const idle = (100 * (after.idle - before.idle)) / Math.max(1, after.total - before.total);
    if (idle >= QUIET_IDLE || performance.now() - started > QUIET_WAIT_MS) return idle;
  }
}

/** Milliseconds from spawn until GET /readyz first answers 200; then stops the process. */
async function launchToReady(binary) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(binary, [], {
    env: { PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`gatehouse exited before it was ready:\n${stderr}`);
      if ((await readyStatus(port)) === 200) return performance.now() - started;
      if (performance.now() - started > 10_000) throw new Error('gatehouse was not ready within 10 s');
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    const gone = new Promise((r) => (exited ? r() : child.once('exit', r)));
    child.kill('SIGTERM');
    await gone;
  }
}
