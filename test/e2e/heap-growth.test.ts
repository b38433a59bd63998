import { DEFAULT_COMMAND, launchers, startGatehouse } from '../helpers/gatehouse-process';

/** HEAP_GROWTH_PERCENT reaches V8 at `serve` start, in each way gatehouse ships (src/heap.ts). */
describe.each(launchers())('HEAP_GROWTH_PERCENT, gatehouse run as %s', (_, command) => {
  const heapGrowthLine = async (env: Record<string, string>, launch = command) => {
    const gatehouse = await startGatehouse({ LOG_LEVEL: 'debug', LOG_FORMAT: 'json', ...env }, launch);
    try {
      const line = gatehouse
        .output()
        .split('\n')
        .find((l) => l.includes('"event":"heap_growth"'));
      return line === undefined ? undefined : (JSON.parse(line) as { percent: number | null; msg: string });
    } finally {
      expect(await gatehouse.stop()).toBe(0);
    }
  };

  test('is set by default (50) and as configured', async () => {
    expect(await heapGrowthLine({})).toMatchObject({ percent: 50, msg: 'V8 heap growth set to 50 %' });
    expect(await heapGrowthLine({ HEAP_GROWTH_PERCENT: '25' })).toMatchObject({ percent: 25 });
  });

  test('0 leaves V8 its own heuristic', async () => {
    expect(await heapGrowthLine({ HEAP_GROWTH_PERCENT: '0' })).toMatchObject({ percent: null });
  });

  test('a value out of range stops the start with a message naming the setting', async () => {
    await expect(startGatehouse({ HEAP_GROWTH_PERCENT: '301' }, command)).rejects.toThrow(/HEAP_GROWTH_PERCENT.*at most 300/s);
  });
});

/** SEMI_SPACE_MB reaches V8 at `serve` start, in each way gatehouse ships (src/heap.ts). */
describe.each(launchers())('SEMI_SPACE_MB, gatehouse run as %s', (_, command) => {
  const semiSpaceLine = async (env: Record<string, string>) => {
    const gatehouse = await startGatehouse({ LOG_LEVEL: 'debug', LOG_FORMAT: 'json', ...env }, command);
    try {
      const line = gatehouse
        .output()
        .split('\n')
        .find((l) => l.includes('"event":"semi_space"'));
      return line === undefined ? undefined : (JSON.parse(line) as { mb: number | null; msg: string });
    } finally {
      expect(await gatehouse.stop()).toBe(0);
    }
  };

  test('is held to 8 MB by default and as configured; 0 leaves V8 its own limit', async () => {
    expect(await semiSpaceLine({})).toMatchObject({ mb: 8, msg: 'V8 semi-space held to 8 MB' });
    expect(await semiSpaceLine({ SEMI_SPACE_MB: '4' })).toMatchObject({ mb: 4 });
    expect(await semiSpaceLine({ SEMI_SPACE_MB: '0' })).toMatchObject({ mb: null });
  });

  test('a value out of range stops the start with a message naming the setting', async () => {
    await expect(startGatehouse({ SEMI_SPACE_MB: '17' }, command)).rejects.toThrow(/SEMI_SPACE_MB.*at most 16/s);
  });
});

test("the bundle run by node with --heap-growing-percent keeps node's value", async () => {
  const [node, bundle] = DEFAULT_COMMAND;
  const gatehouse = await startGatehouse({ LOG_LEVEL: 'debug', LOG_FORMAT: 'json' }, [node!, '--heap-growing-percent=10', bundle!]);
  try {
    expect(gatehouse.output()).toMatch(/"event":"heap_growth","percent":null/);
  } finally {
    await gatehouse.stop();
  }
});
