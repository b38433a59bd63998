import type { Logger } from 'pino';
import { LoginThrottled, type LoginThrottle } from '../throttle/login-throttle';
import { TooManyRequests } from './errors';

/**
 * A password check's dealings with the login throttle, the same for POST /login/ and for the
 * re-authentication of PUT /password/ and DELETE /account/ (they share its counters).
 */

/**
 * Counts an attempt before its password is checked; over the limit, calls `onThrottled` (to log
 * it) and throws 429 with Retry-After. Store failures reject as the throttle does (503).
 */
export async function countAttempt(throttle: LoginThrottle, username: string, ip: string, onThrottled: () => void): Promise<void> {
  try {
    await throttle.begin(username, ip);
  } catch (err) {
    if (!(err instanceof LoginThrottled)) throw err;
    onThrottled();
    throw new TooManyRequests('too many failed logins; try again later', Math.max(1, Math.ceil(err.retryAfterMs / 1000)));
  }
}

/**
 * The password was right: the account's count starts again. Best effort: a request is not refused
 * because a counter could not be reset; the failure is logged (throttle_reset_failed).
 */
export function countSuccess(throttle: LoginThrottle, log: Logger, username: string, ip: string): Promise<void> {
  return throttle.succeeded(username, ip).catch((err: unknown) => {
    log.warn({ event: 'throttle_reset_failed', reason: (err as Error)?.message }, 'could not reset the failed-login count');
  });
}
