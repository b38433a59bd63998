import { randomBytes } from 'node:crypto';
import { hash, parseOptions, verify } from '@node-rs/argon2';

/** argon2id cost parameters. OWASP password storage cheat sheet: m=19456 KiB, t=2, p=1. */
export interface Argon2Params {
  /** Memory per hash in KiB. */
  readonly memoryCost: number;
  /** Passes over memory. */
  readonly timeCost: number;
  readonly parallelism: number;
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
}

// @node-rs/argon2 declares Algorithm as a const enum, which isolated-module compilers cannot
// inline; 2 is Algorithm.Argon2id.
const ARGON2ID = 2;

export function createPasswordHasher(params: Argon2Params): PasswordHasher {
  const options = { algorithm: ARGON2ID, ...params };
  // Made once, up front, so the first unknown-user login is not slower than the others.
  const dummy = hash(randomBytes(32).toString('base64url'), options);

  const check = async (encoded: string, password: string) => {
    try {
      return await verify(encoded, password);
    } catch {
      return false;
    }
  };

  return {
    hash: (password) => hash(password, options),
    verify: check,
    async verifyNothing(password) {
      await check(await dummy, password);
      return false;
    },
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
