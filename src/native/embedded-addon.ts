import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sea from 'node:sea';

/**
 * Loads a native addon (.node file) embedded in the single executable as a SEA asset.
 *
 * Inside a Node single executable `require` only loads built-in modules, and the dynamic
 * loader can only map a library from a file. So the addon's bytes are written to a file of
 * this process's own (a content hash, the pid and random bytes in its name, created with
 * O_EXCL so nothing else can be there first), loaded with process.dlopen, and unlinked at
 * once: the mapping outlives the name. Concurrent starts and upgrades never share a file,
 * and nothing is left behind.
 *
 * The directory is GATEHOUSE_NATIVE_DIR, read when the addon is first used, else the OS temp
 * directory. It must be writable and allow executing files: a `noexec` mount makes dlopen fail,
 * and the error says so.
 */

/** The environment variable naming the directory the addon is written to. */
export const NATIVE_DIR_ENV = 'GATEHOUSE_NATIVE_DIR';

/** Thrown when the embedded addon cannot be written or loaded; the message says what to do. */
export class NativeAddonError extends Error {
  override readonly name = 'NativeAddonError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** What loading needs from the outside world; tests pass fakes. */
export interface AddonLoaderDeps {
  /** The asset's bytes (node:sea getRawAsset). */
  readAsset(key: string): ArrayBuffer;
  /** process.dlopen: loads the library at `filename` into `module.exports`. */
  dlopen(module: { exports: unknown }, filename: string): void;
  /** Where to look up GATEHOUSE_NATIVE_DIR. */
  env: NodeJS.ProcessEnv;
  /** Used when GATEHOUSE_NATIVE_DIR is unset or empty. */
  defaultDir(): string;
}

/** The real thing: SEA assets, process.dlopen, process.env, os.tmpdir(). */
export function seaLoaderDeps(): AddonLoaderDeps {
  return {
    readAsset(key) {
      if (!sea.isSea()) {
        throw new NativeAddonError(`the ${key} addon is embedded only in the single executable; run dist/gatehouse`);
      }
      return sea.getRawAsset(key) as ArrayBuffer;
    },
    dlopen: (module, filename) => process.dlopen(module, filename),
    env: process.env,
    defaultDir: tmpdir,
  };
}

/** The directory the addon is written to: GATEHOUSE_NATIVE_DIR, else the default. */
export function nativeDir(deps: Pick<AddonLoaderDeps, 'env' | 'defaultDir'>): string {
  return deps.env[NATIVE_DIR_ENV] || deps.defaultDir();
}

/** Writes the asset `key` to a private file, loads it and returns the addon's exports. */
export function loadEmbeddedAddon<T>(key: string, deps: AddonLoaderDeps): T {
  const bytes = new Uint8Array(deps.readAsset(key));
  const dir = nativeDir(deps);
  const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const stem = key.replace(/\.node$/, '').replace(/[^A-Za-z0-9_-]/g, '_');
  const file = join(dir, `gatehouse-${stem}-${digest}-${process.pid}-${randomBytes(6).toString('hex')}.node`);
  const advice =
    `set ${NATIVE_DIR_ENV} to a directory that is writable by this user and allows executing files ` +
    '(not mounted noexec)';

  try {
    // wx: fail rather than follow or reuse anything already at this name.
    const fd = openSync(file, 'wx', 0o700);
    try {
      writeSync(fd, bytes);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new NativeAddonError(`cannot write the embedded ${key} addon to ${dir}: ${message(err)}; ${advice}`, {
      cause: err,
    });
  }
  try {
    const module = { exports: {} as T };
    deps.dlopen(module, file);
    return module.exports;
  } catch (err) {
    throw new NativeAddonError(`cannot load the embedded ${key} addon from ${dir}: ${message(err)}; ${advice}`, {
      cause: err,
    });
  } finally {
    try {
      unlinkSync(file);
    } catch {
      // Already gone: nothing to clean up.
    }
  }
}

/**
 * An object with the addon's export `names` that loads the addon on first use, so commands
 * that never hash a password (keygen, healthcheck, --help) never write or load it.
 */
export function lazyAddon<T extends object>(names: readonly string[], load: () => T): T {
  let loaded: T | undefined;
  const target = {} as T;
  for (const name of names) {
    Object.defineProperty(target, name, {
      enumerable: true,
      get: () => (loaded ??= load())[name as keyof T],
    });
  }
  return target;
}

/** What the single executable's bundle puts in place of `require('<package>')` for an addon. */
export function embeddedAddon<T extends object>(key: string, names: readonly string[]): T {
  return lazyAddon(names, () => loadEmbeddedAddon<T>(key, seaLoaderDeps()));
}

function message(err: unknown): string {
  const text = (err as { message?: unknown } | null)?.message;
  return typeof text === 'string' ? text : String(err);
}
