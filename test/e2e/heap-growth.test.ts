import { DEFAULT_COMMAND, launchers, startGatehouse } from '../helpers/gatehouse-process';

/** The debug line of `event` that gatehouse, run by `command` with `env`, logs as it starts. */
async function startLine<T>(event: string, env: Record<string, string>, command: string[]): Promise<T | undefined> {
  const gatehouse = await startGatehouse({ LOG_LEVEL: 'debug', LOG_FORMAT: 'json', ...env }, command);
  try {
    const line = gatehouse
      .output()
      .split('\n')
      .find((l) => l.includes(`"event":"${event}"`));
    return line === undefined ? undefined : (JSON.parse(line) as T);
  } finally {
    expect(await gatehouse.stop()).toBe(0);
  }
}

/** HEAP_GROWTH_PERCENT reaches V8 at `serve` start, in each way gatehouse ships (src/heap.ts). */
describe.each(launchers())('HEAP_GROWTH_PERCENT, gatehouse run as %s', (_, command) => {
  const heapGrowthLine = (env: Record<string, string>) => startLine<{ percent: number | null; msg: string }>('heap_growth', env, command);

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
  const semiSpaceLine = (env: Record<string, string>) => startLine<{ mb: number | null; msg: string }>('semi_space', env, command);

  test('is held to 4 MB by default and as configured; 0 leaves V8 its own limit', async () => {
    expect(await semiSpaceLine({})).toMatchObject({ mb: 4, msg: 'V8 semi-space held to 4 MB' });
    expect(await semiSpaceLine({ SEMI_SPACE_MB: '8' })).toMatchObject({ mb: 8 });
    expect(await semiSpaceLine({ SEMI_SPACE_MB: '0' })).toMatchObject({ mb: null });
  });

  test('a value out of range stops the start with a message naming the setting', async () => {
    await expect(startGatehouse({ SEMI_SPACE_MB: '17' }, command)).rejects.toThrow(/SEMI_SPACE_MB.*at most 16/s);
  });

  // Both semi-spaces, as /metrics reports them, after start-up (the token worker included) and
  // some requests: V8 alone grows them past 8 MiB while the bundle loads.
  const youngGenerationAfterLoad = async (env: Record<string, string>) => {
    const gatehouse = await startGatehouse(env, command);
    try {
      for (let round = 0; round < 20; round += 1) {
        await Promise.all(Array.from({ length: 25 }, () => fetch(`${gatehouse.url}/openapi.json`).then((res) => res.arrayBuffer())));
      }
      const metrics = await (await fetch(`${gatehouse.url}/metrics`)).text();
      return Number(/^nodejs_heap_space_size_total_bytes\{space="new"\} (\d+)$/m.exec(metrics)?.[1]);
    } finally {
      expect(await gatehouse.stop()).toBe(0);
    }
  };

  test('holds the young generation to the default 4 MB per semi-space, with the token worker running', async () => {
    const held = await youngGenerationAfterLoad({});
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(2 * 4 * 1024 * 1024);
    expect(await youngGenerationAfterLoad({ SEMI_SPACE_MB: '0' })).toBeGreaterThan(2 * 4 * 1024 * 1024);
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

test("the bundle run by node with --max-semi-space-size keeps node's value", async () => {
  const [node, bundle] = DEFAULT_COMMAND;
  expect(await startLine('semi_space', {}, [node!, '--max-semi-space-size=4', bundle!])).toMatchObject({ mb: null });
});
