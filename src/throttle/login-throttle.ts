import type { Cluster, Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRes, rateLimiterRedis, type RateLimiterAbstract } from './limiters';
import type { Config } from '../config/load';
import { StoreUnavailableError } from '../store/store';
import { accountKey, addressKey } from './throttle-keys';

/** Failed logins allowed per fixed window; the window starts with the first failure. */
export interface ThrottleLimits {
  /** Failures per account (case-insensitive username) in a window. */
  readonly perAccount: number;
  /** Failures per client address in a window. */
  readonly perAddress: number;
  /** Window length in seconds. */
  readonly windowSeconds: number;
}

/** An account or an address has failed too often; no password may be checked before `retryAfterMs`. */
export class LoginThrottled extends Error {
  override readonly name = 'LoginThrottled';
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super('too many failed logins');
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Brute-force protection of /login/ (OWASP ASVS 5.0 §6.3.1): counts failed logins per account
 * and per client address. An attempt is counted *before* its password is checked and given back
 * if it succeeds, so that any number of concurrent guesses cannot get more than the limit
 * checked: the count is one atomic increment on the server, never a read then a write.
 * Store failures reject with StoreUnavailableError.
 */
export interface LoginThrottle {
  /**
   * Counts an attempt for `username` (as sent) from `ip`; rejects with LoginThrottled when either
   * count is over its limit (the attempt still counts, but the window does not move).
   */
  begin(username: string, ip: string): Promise<void>;
  /** The password was right: the account's count starts again and the address gets its attempt back. */
  succeeded(username: string, ip: string): Promise<void>;
  /** The attempt was never judged (the server was busy or the store failed): both get it back. */
  abandoned(username: string, ip: string): Promise<void>;
  /** Failures counted in the current window for a username (as sent) or a client address; 0 when none. */
  failures(kind: 'account' | 'address', id: string): Promise<number>;
}

export function throttleLimits(config: Config): ThrottleLimits {
  return {
    perAccount: config.LOGIN_FAILURES_PER_ACCOUNT,
    perAddress: config.LOGIN_FAILURES_PER_ADDRESS,
    windowSeconds: config.LOGIN_FAILURE_WINDOW,
  };
}

/** For the memory store: counters in this process. */
export function memoryLoginThrottle(limits: ThrottleLimits): LoginThrottle {
  return loginThrottle(
    new RateLimiterMemory({ keyPrefix: 'account', points: limits.perAccount, duration: limits.windowSeconds }),
    new RateLimiterMemory({ keyPrefix: 'address', points: limits.perAddress, duration: limits.windowSeconds }),
  );
}

/**
 * For the Redis store, on its connection: `<prefix>login-failures:account:<name>` and
 * `<prefix>login-failures:address:<ip>`, one string key each with the window as its TTL. Every
 * operation touches one key (INCRBY+PTTL in one script, DEL), so it works on Redis Cluster.
 */
export function redisLoginThrottle(redis: Redis | Cluster, prefix: string, limits: ThrottleLimits): LoginThrottle {
  const RateLimiterRedis = rateLimiterRedis();
  const limiter = (kind: string, points: number): RateLimiterAbstract =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}login-failures:${kind}`,
      points,
      duration: limits.windowSeconds,
      // Fail at once (503) instead of waiting for a connection that is down.
      rejectIfRedisNotReady: true,
    });
  return loginThrottle(limiter('account', limits.perAccount), limiter('address', limits.perAddress));
}

/** The throttle over two counters, one per account and one per address (exported for tests). */
export function loginThrottle(accounts: RateLimiterAbstract, addresses: RateLimiterAbstract): LoginThrottle {
  const unavailable = (err: unknown) =>
    new StoreUnavailableError(`login throttle failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  const run = async <T>(work: Promise<T>) => {
    try {
      return await work;
    } catch (err) {
      throw unavailable(err);
    }
  };

  return {
    async begin(username, ip) {
      const counters: [RateLimiterAbstract, string][] = [
        [accounts, accountKey(username)],
        [addresses, addressKey(ip)],
      ];
      const results = await Promise.allSettled(counters.map(([counter, key]) => counter.consume(key)));
      // rate-limiter-flexible rejects with a RateLimiterRes when over the limit (the point is
      // counted all the same), with an Error when the store failed (nothing counted).
      const counted = (result: PromiseSettledResult<unknown>) => result.status === 'fulfilled' || result.reason instanceof RateLimiterRes;
      const failed = results.find((result) => !counted(result)) as PromiseRejectedResult | undefined;
      if (failed !== undefined) {
        // An attempt the store could count only in part is not counted at all: the points the
        // other counter took are given back (best effort: its store may be failing too).
        await Promise.allSettled(results.map((result, i) => (counted(result) ? counters[i]![0].reward(counters[i]![1]) : null)));
        throw unavailable(failed.reason);
      }
      let blocked: number | null = null;
      for (const result of results) {
        if (result.status === 'rejected') blocked = Math.max(blocked ?? 0, (result.reason as RateLimiterRes).msBeforeNext);
      }
      if (blocked !== null) throw new LoginThrottled(blocked);
    },
    async succeeded(username, ip) {
      await run(Promise.all([accounts.delete(accountKey(username)), addresses.reward(addressKey(ip))]));
    },
    async abandoned(username, ip) {
      await run(Promise.all([accounts.reward(accountKey(username)), addresses.reward(addressKey(ip))]));
    },
    async failures(kind, id) {
      const res = await run(kind === 'account' ? accounts.get(accountKey(id)) : addresses.get(addressKey(id)));
      return res?.consumedPoints ?? 0;
    },
  };
}
