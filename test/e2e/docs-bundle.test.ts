import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCS_ASSET_NAMES } from '../../src/docs/asset-list';
import { DOCS_ASSET_TEXT } from '../../src/docs/assets';
import { DEFAULT_COMMAND, launchers, ROOT, startGatehouse, type GatehouseProcess } from '../helpers/gatehouse-process';

/**
 * The docs page must work from what gatehouse ships alone: the built dist/gatehouse.cjs, copied
 * where the only node_modules is the native argon2 addon (which stays a runtime require), and
 * the single executable, run from an empty directory. Each serves /openapi.json, /docs and every
 * file of the page, byte for byte Swagger UI's (the bundle embeds them compressed).
 */
describe.each(launchers())('%s serves the API docs without node_modules', (_, command) => {
  let dir: string;
  let gatehouse: GatehouseProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-bundle-'));
    let launch = command;
    if (command === DEFAULT_COMMAND) {
      copyFileSync(join(ROOT, 'dist/gatehouse.cjs'), join(dir, 'gatehouse.cjs'));
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(join(ROOT, 'node_modules/@node-rs'), join(dir, 'node_modules/@node-rs'));
      launch = [process.execPath, join(dir, 'gatehouse.cjs')];
    }
    gatehouse = await startGatehouse({ STORE: 'memory' }, launch, [], { cwd: dir });
  });
  afterAll(async () => {
    await gatehouse?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('/openapi.json, /docs and each file of the page', async () => {
    expect((await fetch(`${gatehouse.url}/openapi.json`)).status).toBe(200);
    expect(await (await fetch(`${gatehouse.url}/docs`)).text()).toContain('/docs/swagger-ui-bundle.js');
    for (const name of DOCS_ASSET_NAMES) {
      const res = await fetch(`${gatehouse.url}/docs/${name}`);
      expect([name, res.status]).toEqual([name, 200]);
      expect(await res.text()).toBe(DOCS_ASSET_TEXT[name]);
    }
  });
});
