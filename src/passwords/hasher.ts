import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { hash, parseOptions, verify } from '@node-rs/argon2';
import pLimit from 'p-limit';
import type { Config } from '../config/load';
import { threadPoolSize } from './thread-pool';

export { threadPoolSize } from './thread-pool';

/** argon2id cost parameters. OWASP password storage cheat sheet: m=19456 KiB, t=2, p=1. */
export interface Argon2Params {
  /** Memory per hash in KiB. */
  readonly memoryCost: number;
  /** Passes over memory. */
  readonly timeCost: number;
  readonly parallelism: number;
}

/** How much argon2 work may be under way at once; each running hash holds `memoryCost` KiB. */
export interface Argon2Limits {
  /** Hashes and verifies running at the same time. */
  readonly maxConcurrent: number;
  /** Calls allowed to wait for a free slot; one more is refused at once with PasswordHasherBusy. */
  readonly maxQueued: number;
}

export interface PasswordHasher {
  /** A PHC-format argon2id hash of `password` with a fresh salt and the configured parameters. */
  hash(password: string): Promise<string>;
  /** True when `password` matches `encoded`; false for a mismatch or an unreadable hash. */
  verify(encoded: string, password: string): Promise<boolean>;
  /**
   * Does the work of a verify against a hash no password matches, so that a login for an
   * unknown user costs what a wrong password costs (no user enumeration by timing).
   */
  verifyNothing(password: string): Promise<false>;
  /** True when `encoded` was made with other parameters than the configured ones. */
  needsRehash(encoded: string): boolean;
  /** argon2 calls running and waiting right now. */
  load(): { running: number; queued: number };
  /**
   * Starts making the hash verifyNothing checks against, if not yet made: an argon2 hash, so
   * the server calls this once it listens rather than during start-up.
   */
  warmUp(): void;
}

/**
 * Thrown by hash and verify calls when `maxConcurrent` are running and `maxQueued` are waiting:
 * the caller answers 503 at once instead of piling up work (and memory) without limit.
 */
export class PasswordHasherBusy extends Error {
  override readonly name = 'PasswordHasherBusy';
  constructor() {
    super('too many password checks are in progress');
  }
}

// @node-rs/argon2 declares Algorithm as a const enum, which isolated-module compilers cannot
// inline; 2 is Algorithm.Argon2id.
const ARGON2ID = 2;

/** A PHC string argon2 can parse without hashing anything. */
const PARAMETERS_PROBE = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Zm9yIGEgcGFyc2Ugb25seSwgbm90IGEgcmVhbCBoYXNo';

/**
 * How many argon2 computations to run at once by default: one per CPU, at most one per
 * thread-pool thread. argon2 is CPU-bound, so more at once than CPUs adds no throughput, only
 * memory (19 MiB each) and latency, and leaves no CPU for the event loop.
 */
export function defaultArgon2Concurrency(env: NodeJS.ProcessEnv = process.env, cpus = availableParallelism()): number {
  return Math.max(1, Math.min(threadPoolSize(env), cpus));
}

/** The hasher the settings describe (ARGON2_*; ARGON2_MAX_CONCURRENT=0 means defaultArgon2Concurrency). */
export function createPasswordHasherFromConfig(config: Config): PasswordHasher {
  return createPasswordHasher(
    { memoryCost: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_ITERATIONS, parallelism: config.ARGON2_PARALLELISM },
    { maxConcurrent: config.ARGON2_MAX_CONCURRENT || defaultArgon2Concurrency(), maxQueued: config.ARGON2_MAX_QUEUED },
  );
}

export function createPasswordHasher(
  params: Argon2Params,
  limits: Argon2Limits = { maxConcurrent: defaultArgon2Concurrency(), maxQueued: 32 },
): PasswordHasher {
  const options = { algorithm: ARGON2ID, ...params };
  // argon2 is loaded now (the single executable writes and maps its embedded addon here), so
  // that a directory it cannot use stops the start before listening. The hash verifyNothing
  // checks against is made once, before the first unknown-user login (so that login is not
  // slower than the others), but it takes argon2 time: warmUp makes it once the server listens
  // (launch to ready 5 to 8 ms shorter, measured on a slow host), or the first verifyNothing
  // before that.
  parseOptions(PARAMETERS_PROBE);
  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= hash(randomBytes(32).toString('base64url'), options));
  const limit = pLimit(limits.maxConcurrent);

  const bounded = <T>(work: () => Promise<T>): Promise<T> => {
    if (limit.activeCount + limit.pendingCount >= limits.maxConcurrent + limits.maxQueued) {
      return Promise.reject(new PasswordHasherBusy());
    }
    return limit(work);
  };

  // `encoded` may be a promise (the dummy hash): the bound is checked at the call, not when it resolves.
  const check = (encoded: string | Promise<string>, password: string) =>
    bounded(async () => {
      try {
        return await verify(await encoded, password);
      } catch {
        return false;
      }
    });

  return {
    hash: (password) => bounded(() => hash(password, options)),
    verify: check,
    async verifyNothing(password) {
      await check(dummyHash(), password);
      return false;
    },
    load: () => ({ running: limit.activeCount, queued: limit.pendingCount }),
    warmUp: () => void dummyHash(),
    needsRehash(encoded) {
      try {
        const used = parseOptions(encoded);
        return (
          used.algorithm !== ARGON2ID ||
          used.memoryCost !== params.memoryCost ||
          used.timeCost !== params.timeCost ||
          used.parallelism !== params.parallelism
        );
      } catch {
        return true;
      }
    },
  };
}
