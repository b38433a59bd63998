import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtBinary, runGatehouse, startGatehouse } from '../helpers/gatehouse-process';
import { freePort } from '../helpers/redis-server';

/**
 * The single executable on its own: copied into an empty directory (no node_modules, no
 * package.json, no config/) and started with an empty environment.
 */
const binary = builtBinary();

describe('the single executable, alone in an empty directory with an empty environment', () => {
  let dir: string;
  let command: string[];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-sea-'));
    copyFileSync(binary, join(dir, 'gatehouse'));
    command = [join(dir, 'gatehouse')];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('--version and keygen work with no environment at all', async () => {
    const version = await runGatehouse(command, ['--version'], { cwd: dir, exactEnv: true });
    expect(version).toEqual({ code: 0, stdout: expect.stringMatching(/^gatehouse \d+\.\d+\.\d+\n$/), stderr: '' });
    const keygen = await runGatehouse(command, ['keygen'], { cwd: dir, exactEnv: true });
    expect(keygen.code).toBe(0);
    expect(keygen.stdout).toMatch(/^k3\.local\.[A-Za-z0-9_-]{43}\nk3\.lid\.[A-Za-z0-9_-]{44}\n$/);
  });

  test('serves with the memory store and an ephemeral key, warning loudly; argon2 works', async () => {
    // The environment stays empty: the port comes from a config file, so no fixed port is needed.
    const config = join(dir, 'port.json');
    writeFileSync(config, JSON.stringify({ PORT: 0 }));
    const gatehouse = await startGatehouse({}, command, ['--config', config], { cwd: dir, exactEnv: true });
    try {
      expect(gatehouse.output()).toMatch(/"level":40.*TOKEN_KEYS is not set/);
      expect(gatehouse.output()).toMatch(/"level":40.*STORE=memory/);
      expect(gatehouse.output()).toContain('(store: memory)');
      const register = await fetch(`${gatehouse.url}/register/`, {
        method: 'POST',
        body: new URLSearchParams({ username: 'alone', password: 'alone in the dark' }),
      });
      expect(register.status).toBe(201);
      const login = await fetch(`${gatehouse.url}/login/`, {
        method: 'POST',
        headers: { Authorization: `Basic ${Buffer.from('alone:alone in the dark').toString('base64')}` },
      });
      expect(login.status).toBe(200);
    } finally {
      expect(await gatehouse.stop()).toBe(0);
    }
  });

  test('GATEHOUSE_NATIVE_DIR: the argon2 addon is written there, loaded, and removed at once', async () => {
    const native = mkdtempSync(join(tmpdir(), 'gatehouse-native-'));
    try {
      const gatehouse = await startGatehouse({ GATEHOUSE_NATIVE_DIR: native }, command, [], { cwd: dir });
      expect(readdirSync(native)).toEqual([]);
      const register = await fetch(`${gatehouse.url}/register/`, {
        method: 'POST',
        body: new URLSearchParams({ username: 'native', password: 'native password' }),
      });
      expect(register.status).toBe(201);
      expect(await gatehouse.stop()).toBe(0);
      expect(readdirSync(native)).toEqual([]);
    } finally {
      rmSync(native, { recursive: true, force: true });
    }
  });

  test('an unusable GATEHOUSE_NATIVE_DIR: exit 1 before listening, saying what to set', async () => {
    const notADir = join(dir, 'not-a-directory');
    writeFileSync(notADir, '');
    const result = await runGatehouse(command, [], { cwd: dir, env: { GATEHOUSE_NATIVE_DIR: notADir } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `gatehouse: cannot write the embedded argon2.node addon to ${notADir}: ENOTDIR: not a directory`,
    );
    expect(result.stderr).toContain('set GATEHOUSE_NATIVE_DIR to a directory that is writable by this user and allows executing files (not mounted noexec)');
    expect(result.stdout).not.toContain('listening');
  });

  test('commands that need no password hashing never write the addon (healthcheck, keygen, --help)', async () => {
    const notADir = join(dir, 'not-a-directory-either');
    writeFileSync(notADir, '');
    const closed = `http://127.0.0.1:${await freePort()}`;
    for (const [args, code] of [
      [['--help'], 0],
      [['keygen'], 0],
      [['healthcheck', '--url', closed], 1],
    ] as const) {
      const result = await runGatehouse(command, [...args], { cwd: dir, env: { GATEHOUSE_NATIVE_DIR: notADir } });
      expect(result.code).toBe(code);
      expect(result.stderr).not.toContain('addon');
    }
  });
});
