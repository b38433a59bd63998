import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDIS_BUILTINS, STARTUP_BUILTINS } from '../../src/startup-builtins';
import { launchers, startGatehouse } from '../helpers/gatehouse-process';
import { cleanUpPrefix, storeSettings } from '../helpers/redis';

const RECORDER = join(__dirname, '../helpers/builtins-after-flags.cjs');

/**
 * The one built-in a start still loads after gatehouse's first V8 flag: lodash.merge (through
 * @koa/bodyparser) calls `process.binding('util')` as it loads, and node loads this module on
 * that call. Loading it first would mean calling that deprecated API ourselves.
 */
const LOADED_BY_A_DEPRECATED_CALL = 'internal/legacy/processbinding';

interface Report {
  flagSet: boolean;
  builtins: string[];
}

/**
 * Starts gatehouse with the recorder preloaded, asks /readyz once, stops it, and returns which
 * node built-ins it loaded after it first set a V8 flag (test/helpers/builtins-after-flags.cjs).
 */
async function builtinsLoadedAfterFlags(command: string[], env: Record<string, string>): Promise<Report> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-builtins-'));
  try {
    const report = join(dir, 'report.json');
    const gatehouse = await startGatehouse({ ...env, SHUTDOWN_DELAY: '0', NODE_OPTIONS: `--require ${RECORDER}`, BUILTINS_REPORT: report }, command);
    try {
      expect((await fetch(`${gatehouse.url}/readyz`)).status).toBe(200);
    } finally {
      expect(await gatehouse.stop()).toBe(0);
    }
    return JSON.parse(readFileSync(report, 'utf8')) as Report;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A start loads node's built-ins before gatehouse sets a V8 flag (src/startup-builtins.ts), so
 * that node compiles them from its code cache: a start that loads one after a flag, up to its
 * first answer from /readyz, names it here, to be added to STARTUP_BUILTINS.
 */
describe.each(launchers())('node built-ins at start-up, gatehouse run as %s', (_, command) => {
  describe.each(storeSettings('startup-builtins'))('%s', (_store, settings) => {
    let env: Record<string, string>;
    beforeEach(() => {
      env = settings();
    });
    afterEach(async () => {
      if (env.REDIS_PREFIX !== undefined) await cleanUpPrefix(env.REDIS_PREFIX);
    });

    test('none is loaded after the young generation is held, from the first line', async () => {
      const report = await builtinsLoadedAfterFlags(command, env);
      expect(report.flagSet).toBe(true);
      expect(report.builtins.filter((name) => name !== LOADED_BY_A_DEPRECATED_CALL)).toEqual([]);
    });

    test('none is loaded after the heap growth flag, the first one when the young generation is left alone', async () => {
      const report = await builtinsLoadedAfterFlags(command, { ...env, SEMI_SPACE_MB: '0' });
      expect(report.flagSet).toBe(true);
      expect(report.builtins.filter((name) => name !== LOADED_BY_A_DEPRECATED_CALL)).toEqual([]);
    });
  });
});

test('the list names each built-in once, each one that node has', () => {
  expect(new Set(STARTUP_BUILTINS).size).toBe(STARTUP_BUILTINS.length);
  for (const name of [...STARTUP_BUILTINS, ...REDIS_BUILTINS]) expect(process.getBuiltinModule(`node:${name}`)).toBeDefined();
});
