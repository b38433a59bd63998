import { RateLimiterMemory } from '../../src/throttle/limiters';
import { LoginThrottled, loginThrottle } from '../../src/throttle/login-throttle';
import { StoreUnavailableError } from '../../src/store/store';

/** A counter whose store fails on every call. */
class BrokenCounter extends RateLimiterMemory {
  override consume(): Promise<never> {
    return Promise.reject(new Error('connection lost'));
  }
}

const counter = (points: number) => new RateLimiterMemory({ points, duration: 900 });

describe('the login throttle (src/throttle/login-throttle.ts)', () => {
  test('an attempt one counter could not count is not counted by the other either: given back, and a 503', async () => {
    const addresses = counter(100);
    const throttle = loginThrottle(new BrokenCounter({ points: 10, duration: 900 }), addresses);
    await expect(throttle.begin('alice', '192.0.2.1')).rejects.toThrow(StoreUnavailableError);
    expect(await throttle.failures('address', '192.0.2.1')).toBe(0);

    const accounts = counter(10);
    const other = loginThrottle(accounts, new BrokenCounter({ points: 100, duration: 900 }));
    await expect(other.begin('alice', '192.0.2.1')).rejects.toThrow('login throttle failed: connection lost');
    expect(await other.failures('account', 'alice')).toBe(0);
  });

  test('an account over its limit still takes its point when the other counter fails, and gives it back', async () => {
    const accounts = counter(1);
    const throttle = loginThrottle(accounts, counter(100));
    await throttle.begin('alice', '192.0.2.1');
    await expect(throttle.begin('alice', '192.0.2.1')).rejects.toThrow(LoginThrottled);
    expect(await throttle.failures('account', 'alice')).toBe(2);

    const broken = loginThrottle(accounts, new BrokenCounter({ points: 100, duration: 900 }));
    await expect(broken.begin('alice', '192.0.2.1')).rejects.toThrow(StoreUnavailableError);
    expect(await broken.failures('account', 'alice')).toBe(2);
  });

  test('both counted: each takes one point; over either limit, LoginThrottled with the longer wait', async () => {
    const throttle = loginThrottle(counter(2), counter(1));
    await throttle.begin('alice', '192.0.2.1');
    expect([await throttle.failures('account', 'alice'), await throttle.failures('address', '192.0.2.1')]).toEqual([1, 1]);
    const refused = throttle.begin('bob', '192.0.2.1');
    await expect(refused).rejects.toThrow(LoginThrottled);
    await expect(refused).rejects.toMatchObject({ retryAfterMs: expect.any(Number) });
  });
});
