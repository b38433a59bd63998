import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { holdYoungGenerationAtStart, limitHeapGrowth, limitYoungGeneration, reapplyHeapFlags } from '../../src/heap';
import { bundleChildScript } from '../helpers/child-script';

describe('limitHeapGrowth', () => {
  const none: string[] = [];

  test('sets V8 heap growth to the given percentage', () => {
    const set: string[] = [];
    expect(limitHeapGrowth(50, none, (flags) => set.push(flags))).toBe(true);
    expect(set).toEqual(['--heap-growing-percent=50']);
  });

  test('0 leaves V8 its own heuristic', () => {
    const set: string[] = [];
    expect(limitHeapGrowth(0, none, (flags) => set.push(flags))).toBe(false);
    expect(set).toEqual([]);
  });

  test.each([[['--heap-growing-percent=10']], [['--max-old-space-size=512', '--heap_growing_percent', '10']]])(
    'leaves a flag given to node itself alone (%j)',
    (given) => {
      const set: string[] = [];
      expect(limitHeapGrowth(50, given, (flags) => set.push(flags))).toBe(false);
      expect(set).toEqual([]);
    },
  );

  test('the flag is one V8 takes', () => {
    // V8 ignores unknown flags with a warning on stderr instead of throwing; a misspelt flag
    // would show up as a warning from a child process.
    const run = spawnSync(process.execPath, ['-e', "require('node:v8').setFlagsFromString('--heap-growing-percent=50')"], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const bad = spawnSync(process.execPath, ['-e', "require('node:v8').setFlagsFromString('--heap-growin-percent=50')"], { encoding: 'utf8' });
    expect(bad.stderr).toMatch(/unrecognized flag|Error/i);
  });
});

describe('reapplyHeapFlags', () => {
  test('sets again, in order, the last value of every flag set here', () => {
    const ignore = () => {};
    limitHeapGrowth(40, [], ignore);
    holdYoungGenerationAtStart({}, [], ignore);
    const v8 = { newSpaceBytes: () => 4 * 1024 * 1024, afterEachGc: () => () => {}, setFlags: ignore };
    limitYoungGeneration(8, [], '', v8)?.();
    const set: string[] = [];
    reapplyHeapFlags((flags) => set.push(flags));
    expect(set).toEqual(['--heap-growing-percent=40', '--semi-space-growth-factor=4']);
  });
});

describe('holdYoungGenerationAtStart', () => {
  const held = (env: NodeJS.ProcessEnv, execArgv: string[] = []) => {
    const set: string[] = [];
    return { result: holdYoungGenerationAtStart(env, execArgv, (flags) => set.push(flags)), set };
  };

  test('stops V8 growing the young generation until serve sets its limit', () => {
    expect(held({})).toEqual({ result: true, set: ['--semi-space-growth-factor=1'] });
  });

  test.each([
    [{ SEMI_SPACE_MB: '0' }, []],
    [{}, ['--max-semi-space-size=4']],
    [{ NODE_OPTIONS: '--max-old-space-size=256 --max_semi_space_size=4' }, []],
    [{}, ['--min-semi-space-size', '2']],
  ])('leaves V8 alone for %j %j', (env, execArgv) => {
    expect(held(env, execArgv)).toEqual({ result: false, set: [] });
  });
});

describe('limitYoungGeneration', () => {
  const MiB = 1024 * 1024;
  function fakeV8(newSpaceMb: number) {
    const probe = {
      size: newSpaceMb * MiB,
      set: [] as string[],
      gc: null as (() => void) | null,
      stopped: false,
      newSpaceBytes: () => probe.size,
      afterEachGc(listener: () => void) {
        probe.gc = listener;
        return () => {
          probe.stopped = true;
        };
      },
      setFlags: (flags: string) => probe.set.push(flags),
    };
    return probe;
  }

  test('lets the next growth end at the cap, then stops growth', () => {
    const v8 = fakeV8(2); // 1 MB per semi-space
    const stop = limitYoungGeneration(8, [], '', v8);
    expect(v8.set).toEqual(['--semi-space-growth-factor=8']);
    v8.size = 16 * MiB; // grown to 8 MB per semi-space
    v8.gc!();
    v8.gc!();
    expect(v8.set).toEqual(['--semi-space-growth-factor=8', '--semi-space-growth-factor=1']);
    v8.size = 4 * MiB; // V8 shrank it (idle): it may grow back, to the cap again
    v8.gc!();
    expect(v8.set.at(-1)).toBe('--semi-space-growth-factor=4');
    stop!();
    expect(v8.stopped).toBe(true);
  });

  test('a cap below what V8 already has stops growth at once', () => {
    const v8 = fakeV8(32);
    limitYoungGeneration(8, [], '', v8);
    expect(v8.set).toEqual(['--semi-space-growth-factor=1']);
  });

  test('0 gives V8 its own growth back when it was held at start, and otherwise sets nothing', () => {
    const v8 = fakeV8(2);
    holdYoungGenerationAtStart({}, [], () => {});
    expect(limitYoungGeneration(0, [], '', v8)).toBeNull();
    expect(limitYoungGeneration(0, [], '', v8)).toBeNull();
    expect(v8.set).toEqual(['--semi-space-growth-factor=2']);
  });

  test("node's own flag wins", () => {
    const v8 = fakeV8(2);
    expect(limitYoungGeneration(8, ['--max-semi-space-size=2'], '', v8)).toBeNull();
    expect(limitYoungGeneration(8, [], '--max-semi-space-size=2', v8)).toBeNull();
    expect(v8.set).toEqual([]);
    expect(v8.gc).toBeNull();
  });
});

describe('the young generation in a real V8', () => {
  // src/heap.ts bundled for a plain node child, which allocates objects that survive a while
  // (as requests in flight do) and reports the largest young generation it saw, in MB.
  let script: string;
  beforeAll(() => {
    script = bundleChildScript(`
          const { holdYoungGenerationAtStart, limitYoungGeneration, reapplyHeapFlags } = require(${JSON.stringify(join(__dirname, '../../src/heap.ts'))});
          const { getHeapSpaceStatistics } = require('node:v8');
          const { Worker } = require('node:worker_threads');
          const cap = Number(process.argv[2]);
          const worker = process.argv[3];
          if (cap > 0) { holdYoungGenerationAtStart({}, []); limitYoungGeneration(cap, [], ''); }
          const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
          let largest = 0;
          const window = new Array(50000);
          const allocate = async (count) => {
            for (let i = 0; i < count; i++) {
              window[i % window.length] = { i, text: 'x' + i };
              if (i % 10000 === 0) { largest = Math.max(largest, newSpace()); await new Promise((r) => setImmediate(r)); }
            }
          };
          const startWorker = async () => {
            const started = new Worker('setInterval(() => {}, 1000)', { eval: true });
            await new Promise((resolve) => started.once('online', resolve));
            started.unref();
          };
          (async () => {
            if (worker === 'late' || worker === 'late-reapply') {
              // Grown to the cap first (growth factor held at 1), then a worker starts.
              await allocate(1000000);
              await startWorker();
              if (worker === 'late-reapply') reapplyHeapFlags();
            } else if (worker === 'first') {
              // As gatehouse does: the worker first, waited for, then the flags set again.
              await startWorker();
              reapplyHeapFlags();
            }
            await allocate(3000000);
            process.stdout.write(String(largest / 1048576));
          })();`, 'young.cjs');
  });

  const largestYoung = (cap: number, ...worker: string[]) =>
    Number(spawnSync(process.execPath, [script, String(cap), ...worker], { encoding: 'utf8' }).stdout);

  test('stays within the cap (both semi-spaces) where V8 alone grows past it', () => {
    expect(largestYoung(0)).toBeGreaterThan(8);
    expect(largestYoung(2)).toBeLessThanOrEqual(4);
  });

  test('a worker thread started once the young generation is at the cap undoes the hold; setting the flags again limits it to one doubling', () => {
    // V8 sets the growth factor to at least 2 as it sets up the new isolate: without the flags
    // set again the young generation grows to V8's own limit; with them, by one step at most
    // (V8 may collect between the isolate's set-up and its start).
    expect(largestYoung(2, 'late')).toBeGreaterThan(8);
    expect(largestYoung(2, 'late-reapply')).toBeLessThanOrEqual(8);
  });

  test('a worker thread started before the young generation reaches its cap (as gatehouse starts its token worker) keeps the cap', () => {
    // Below the cap the factor is at least 2 already, so the isolate's set-up changes nothing.
    expect(largestYoung(2, 'first')).toBeLessThanOrEqual(4);
  });
});
