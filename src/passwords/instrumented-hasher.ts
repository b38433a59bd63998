import type { Metrics } from '../metrics';
import type { PasswordHasher } from './hasher';

/** Records the duration of every argon2 operation of `inner` in the metrics. */
export function instrumentHasher(inner: PasswordHasher, metrics: Metrics): PasswordHasher {
  const timed = async <T>(operation: 'hash' | 'verify', work: () => Promise<T>): Promise<T> => {
    const started = process.hrtime.bigint();
    try {
      return await work();
    } finally {
      metrics.observePasswordWork(operation, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  return {
    hash: (password) => timed('hash', () => inner.hash(password)),
    verify: (encoded, password) => timed('verify', () => inner.verify(encoded, password)),
    verifyNothing: (password) => timed('verify', () => inner.verifyNothing(password)),
    needsRehash: (encoded) => inner.needsRehash(encoded),
    load: () => inner.load(),
    warmUp: () => inner.warmUp(),
  };
}
