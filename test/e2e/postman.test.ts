import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startGatehouse, type GatehouseProcess } from '../helpers/gatehouse-process';
import { cleanUpPrefix, storeSettings } from '../helpers/redis';

/**
 * The Postman collection (postman/gatehouse.postman_collection.json), run by newman through
 * `npm run postman`'s script against the built gatehouse on a real port, on each store.
 */

interface NewmanReport {
  run: {
    stats: Record<'requests' | 'assertions' | 'testScripts', { total: number; failed: number }>;
    failures: unknown[];
    executions: { item: { name: string }; request: { url: { host: string[]; port: string } }; response: { code: number } }[];
  };
}

const PASSWORD = 'correct horse battery';
const basic = (username: string) => `Basic ${Buffer.from(`${username}:${PASSWORD}`).toString('base64')}`;

/** Runs scripts/postman.mjs; resolves with its exit code, output and JSON report. */
function runCollection(url: string, username: string): Promise<{ code: number; output: string; report: NewmanReport }> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-newman-'));
  const report = join(dir, 'report.json');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['scripts/postman.mjs', '--url', url, '--username', username, '--report', report],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 },
      (err, stdout, stderr) => {
        try {
          const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
          resolve({ code, output: stdout + stderr, report: JSON.parse(readFileSync(report, 'utf8')) });
        } catch (parseError) {
          reject(new Error(`newman left no report (${String(parseError)}):\n${stdout}${stderr}`));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });
}

const setups = storeSettings('postman');

describe.each(setups)('the Postman collection under newman (%s)', (_, env) => {
  let gatehouse: GatehouseProcess;
  let settings: Record<string, string>;
  beforeAll(async () => {
    settings = env();
    gatehouse = await startGatehouse(settings);
  });
  afterAll(async () => {
    await gatehouse.stop();
    // Stopped first: a write in flight would land after the keys are deleted.
    if (settings.REDIS_PREFIX !== undefined) await cleanUpPrefix(settings.REDIS_PREFIX);
  });

  test('the tutorial\'s steps pass, every assertion, against this gatehouse only', async () => {
    const username = `postman-${randomUUID().slice(0, 8)}`;
    const { code, output, report } = await runCollection(gatehouse.url, username);
    expect({ code, failures: report.run.failures }).toEqual({ code: 0, failures: [] });
    expect(report.run.stats.requests).toEqual(expect.objectContaining({ total: 6, failed: 0 }));
    expect(report.run.stats.assertions).toEqual(expect.objectContaining({ total: 7, failed: 0 }));
    expect(report.run.executions.map((e) => [e.item.name, e.response.code])).toEqual([
      ['1. Register (form-data)', 201],
      ['2. Login (Basic)', 200],
      ['3. Login with a wrong password → 401', 401],
      ['4. Dashboard (Bearer)', 200],
      ['5. Logout', 200],
      ['6. Dashboard again → 401', 401],
    ]);
    const { hostname, port } = new URL(gatehouse.url);
    for (const e of report.run.executions) expect([e.request.url.host.join('.'), e.request.url.port]).toEqual([hostname, port]);
    expect(output).toContain('✓  401: the revoked token no longer works');

    // The store after the run: the user exists with the collection's password, and the
    // collection's session ended at its logout (only the one made here is live).
    const login = await fetch(`${gatehouse.url}/login/`, { method: 'POST', headers: { Authorization: basic(username) } });
    expect(login.status).toBe(200);
    const token = ((await login.json()) as { data: { auth_token: string } }).data.auth_token;
    const sessions = await fetch(`${gatehouse.url}/sessions/`, { headers: { Authorization: `Bearer ${token}` } });
    const { data } = (await sessions.json()) as { data: { sessions: { current: boolean }[] } };
    expect(data.sessions).toEqual([expect.objectContaining({ current: true })]);
  }, 60_000);

  test('a failed assertion fails the run: registering a name that is taken', async () => {
    const username = `postman-${randomUUID().slice(0, 8)}`;
    const register = await fetch(`${gatehouse.url}/register/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password: 'someone else was first' }),
    });
    expect(register.status).toBe(201);
    const { code, report } = await runCollection(gatehouse.url, username);
    expect(code).toBe(1);
    expect(report.run.stats.assertions.failed).toBeGreaterThan(0);
    expect(report.run.executions[0]!.response.code).toBe(409);
  }, 60_000);
});
