import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import {
  lazyAddon,
  loadEmbeddedAddon,
  nativeDir,
  NativeAddonError,
  seaLoaderDeps,
  type AddonLoaderDeps,
} from '../../src/native/embedded-addon';

const ARGON2_ADDON = require.resolve('@node-rs/argon2-linux-x64-gnu/argon2.linux-x64-gnu.node');

describe('embedded native addon', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-addon-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const bytes = Buffer.from('not really a shared object');
  function fakeDeps(overrides: Partial<AddonLoaderDeps> = {}): AddonLoaderDeps & { loaded: string[] } {
    const loaded: string[] = [];
    return {
      loaded,
      readAsset: () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
      dlopen(module, filename) {
        loaded.push(readFileSync(filename, 'utf8'), filename);
        expect(statSync(filename).mode & 0o777).toBe(0o700);
        module.exports = { loadedFrom: filename };
      },
      env: { GATEHOUSE_NATIVE_DIR: dir },
      defaultDir: () => '/nonexistent-default',
      ...overrides,
    };
  }

  test('nativeDir: GATEHOUSE_NATIVE_DIR when set and not empty, else the default', () => {
    const defaultDir = () => '/var/tmp';
    expect(nativeDir({ env: { GATEHOUSE_NATIVE_DIR: '/srv/native' }, defaultDir })).toBe('/srv/native');
    expect(nativeDir({ env: { GATEHOUSE_NATIVE_DIR: '' }, defaultDir })).toBe('/var/tmp');
    expect(nativeDir({ env: {}, defaultDir })).toBe('/var/tmp');
  });

  test('writes the bytes to a private file named by their hash and the pid, loads it, then removes it', () => {
    const deps = fakeDeps();
    const exports = loadEmbeddedAddon<{ loadedFrom: string }>('argon2.node', deps);
    const [content, file] = deps.loaded;
    expect(content).toBe(bytes.toString());
    expect(dirname(file!)).toBe(dir);
    const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    expect(basename(file!)).toMatch(new RegExp(`^gatehouse-argon2-${digest}-${process.pid}-[0-9a-f]{12}\\.node$`));
    expect(exports.loadedFrom).toBe(file);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('two loads never share a file (concurrent starts, upgrades)', () => {
    const first = fakeDeps();
    const second = fakeDeps();
    loadEmbeddedAddon('argon2.node', first);
    loadEmbeddedAddon('argon2.node', second);
    expect(first.loaded[1]).not.toBe(second.loaded[1]);
  });

  test('an unwritable directory: NativeAddonError naming the directory and GATEHOUSE_NATIVE_DIR', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const deps = fakeDeps({ env: { GATEHOUSE_NATIVE_DIR: file } });
    expect(() => loadEmbeddedAddon('argon2.node', deps)).toThrow(NativeAddonError);
    expect(() => loadEmbeddedAddon('argon2.node', deps)).toThrow(
      `cannot write the embedded argon2.node addon to ${file}: ENOTDIR: not a directory, open '${file}/gatehouse-argon2-`,
    );
    expect(deps.loaded).toEqual([]);
  });

  test('a failing dlopen (a noexec mount): NativeAddonError saying so, and the file is removed', () => {
    const deps = fakeDeps({
      dlopen: (_module, filename) => {
        throw new Error(`${filename}: failed to map segment from shared object`);
      },
    });
    let error: unknown;
    try {
      loadEmbeddedAddon('argon2.node', deps);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NativeAddonError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^cannot load the embedded argon2\\.node addon from ${dir}: .*failed to map segment from shared object; ` +
          'set GATEHOUSE_NATIVE_DIR to a directory that is writable by this user and allows executing files \\(not mounted noexec\\)$',
      ),
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  test('the real argon2 addon, written and loaded this way, hashes and verifies', async () => {
    const addon = readFileSync(ARGON2_ADDON);
    const argon2 = loadEmbeddedAddon<typeof import('@node-rs/argon2')>('argon2.node', {
      ...seaLoaderDeps(),
      readAsset: () => addon.buffer.slice(addon.byteOffset, addon.byteOffset + addon.length),
      env: { GATEHOUSE_NATIVE_DIR: dir },
    });
    const encoded = await argon2.hash('correct horse', { memoryCost: 8192, timeCost: 1, parallelism: 1 });
    expect(await argon2.verify(encoded, 'correct horse')).toBe(true);
    expect(await argon2.verify(encoded, 'wrong horse')).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('outside a single executable the SEA assets are refused with a clear error', () => {
    expect(() => seaLoaderDeps().readAsset('argon2.node')).toThrow(
      'the argon2.node addon is embedded only in the single executable; run dist/gatehouse',
    );
  });

  test('lazyAddon loads on first use only, and once', () => {
    const load = jest.fn(() => ({ hash: 'h', verify: 'v' }));
    const addon = lazyAddon(['hash', 'verify'], load);
    expect(load).not.toHaveBeenCalled();
    expect(Object.keys(addon)).toEqual(['hash', 'verify']);
    expect(addon.hash).toBe('h');
    expect(addon.verify).toBe('v');
    expect(load).toHaveBeenCalledTimes(1);
  });

  test('lazyAddon: a failed load is retried on the next use, not cached', () => {
    const load = jest
      .fn<{ hash: string }, []>()
      .mockImplementationOnce(() => {
        throw new NativeAddonError('no');
      })
      .mockImplementationOnce(() => ({ hash: 'h' }));
    const addon = lazyAddon(['hash'], load);
    expect(() => addon.hash).toThrow('no');
    expect(addon.hash).toBe('h');
  });
});
