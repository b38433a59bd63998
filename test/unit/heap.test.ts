import { spawnSync } from 'node:child_process';
import { limitHeapGrowth } from '../../src/heap';

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
