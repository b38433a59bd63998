import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDIS_BUILTINS, STARTUP_BUILTINS } from '../../src/startup-builtins';
import { builtBinary, DEFAULT_COMMAND, runGatehouse, startGatehouse } from '../helpers/gatehouse-process';
import { cleanUpPrefix, storeSettings } from '../helpers/redis';

const RECORDER = join(__dirname, '../helpers/builtins-after-flags.cjs');

/**
 * The one built-in a start still loads after gatehouse's first V8 flag: lodash.merge (through
 * @koa/bodyparser) calls `process.binding('util')` as it loads, and node loads this module on
 * that call. Loading it first would mean calling that deprecated API ourselves.
 */
const LOADED_BY_A_DEPRECATED_CALL = 'internal/legacy/processbinding';

/**
 * Runs `run` with the recorder preloaded through the environment it is given
 * (test/helpers/builtins-after-flags.cjs), and returns the node built-ins the process loaded
 * after it first set a V8 flag, from then until it exited, but for LOADED_BY_A_DEPRECATED_CALL.
 */
async function loadedAfterTheFlag(run: (recorder: Record<string, string>) => Promise<void>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-builtins-'));
  try {
    const report = join(dir, 'report.json');
    await run({ NODE_OPTIONS: `--require ${RECORDER}`, BUILTINS_REPORT: report });
    // No file: no thread of gatehouse set a V8 flag, or the recorder did not run.
    const loaded = JSON.parse(readFileSync(report, 'utf8')) as string[];
    return loaded.filter((name) => name !== LOADED_BY_A_DEPRECATED_CALL);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A start loads node's built-ins before gatehouse sets its first V8 flag (src/startup-builtins.ts),
 * so that node compiles them from its code cache: a start that loads one after the flag names
 * it here, to be added to STARTUP_BUILTINS (or REDIS_BUILTINS). The bundle and the executable
 * are named here rather than by launchers(): the recorder must be on the same machine.
 */
describe.each([
  ['the bundle', DEFAULT_COMMAND],
  ['the single executable', [builtBinary()]],
])('node built-ins at start-up, gatehouse run as %s', (_, command) => {
  describe.each(storeSettings('startup-builtins'))('%s', (_store, settings) => {
    let env: Record<string, string>;
    beforeEach(() => {
      env = settings();
    });
    afterEach(async () => {
      if (env.REDIS_PREFIX !== undefined) await cleanUpPrefix(env.REDIS_PREFIX);
    });

    test('none is loaded after the first V8 flag, from start to exit (a start, one /readyz, a stop)', async () => {
      const loaded = await loadedAfterTheFlag(async (recorder) => {
        const gatehouse = await startGatehouse({ ...env, ...recorder, SHUTDOWN_DELAY: '0' }, command);
        const ready = await fetch(`${gatehouse.url}/readyz`).then((res) => res.status, (err: unknown) => err);
        expect(await gatehouse.stop()).toBe(0);
        expect(ready).toBe(200);
      });
      expect(loaded).toEqual([]);
    });
  });

  // The command a container runs every 10 s: it loads the same bundle, then makes one request.
  test('none is loaded after the first V8 flag by `healthcheck`', async () => {
    const gatehouse = await startGatehouse({}, command);
    try {
      const loaded = await loadedAfterTheFlag(async (recorder) => {
        const result = await runGatehouse(command, ['healthcheck', '--url', gatehouse.url], { env: recorder });
        expect(result).toMatchObject({ code: 0, stderr: '' });
      });
      expect(loaded).toEqual([]);
    } finally {
      expect(await gatehouse.stop()).toBe(0);
    }
  });
});

test('the lists name each built-in once, each one that node has', () => {
  const all = [...STARTUP_BUILTINS, ...REDIS_BUILTINS];
  expect(new Set(all).size).toBe(all.length);
  for (const name of all) expect(process.getBuiltinModule(`node:${name}`)).toBeDefined();
});
