import { loadConfig } from '../../src/config/load';
import {
  createPasswordHasher,
  createPasswordHasherFromConfig,
  defaultArgon2Concurrency,
  PasswordHasherBusy,
  threadPoolSize,
} from '../../src/passwords/hasher';

const cheap = { memoryCost: 8192, timeCost: 1, parallelism: 1 };

describe('the bound on concurrent argon2 work', () => {
  test('beyond maxConcurrent running and maxQueued waiting, calls are refused at once with PasswordHasherBusy', async () => {
    const hasher = createPasswordHasher(cheap, { maxConcurrent: 2, maxQueued: 3 });
    const settled: string[] = [];
    const calls = Array.from({ length: 10 }, (_, i) =>
      hasher.hash(`password ${i}`).then(
        () => settled.push('hashed'),
        (err: unknown) => settled.push(err instanceof PasswordHasherBusy ? 'busy' : 'other error'),
      ),
    );
    expect(hasher.load()).toEqual({ running: 2, queued: 3 });
    await Promise.all(calls);
    expect(settled.filter((s) => s === 'hashed')).toHaveLength(5);
    expect(settled.filter((s) => s === 'busy')).toHaveLength(5);
    // The refusals came first: they did not wait for any argon2 work.
    expect(settled.slice(0, 5)).toEqual(['busy', 'busy', 'busy', 'busy', 'busy']);
  });

  test('warmUp makes the hash verifyNothing checks against, outside the bound, once', async () => {
    const hasher = createPasswordHasher(cheap, { maxConcurrent: 1, maxQueued: 0 });
    hasher.warmUp();
    hasher.warmUp();
    // The warm-up hash takes no slot: a verify is still admitted at once.
    expect(hasher.load()).toEqual({ running: 0, queued: 0 });
    const encoded = await hasher.hash('the password');
    await expect(hasher.verify(encoded, 'the password')).resolves.toBe(true);
    await expect(hasher.verifyNothing('the password')).resolves.toBe(false);
    await expect(hasher.verifyNothing('')).resolves.toBe(false);
    expect(hasher.load()).toEqual({ running: 0, queued: 0 });
  });

  test('no more than maxConcurrent run at the same time, and the bound frees up as work ends', async () => {
    const hasher = createPasswordHasher(cheap, { maxConcurrent: 2, maxQueued: 20 });
    const encoded = await hasher.hash('the password');
    let most = 0;
    let sampling = true;
    const sample = () => {
      most = Math.max(most, hasher.load().running);
      if (sampling) setImmediate(sample);
    };
    sample();
    const results = await Promise.all([
      ...Array.from({ length: 8 }, () => hasher.verify(encoded, 'the password')),
      ...Array.from({ length: 8 }, () => hasher.verifyNothing('the password')),
    ]);
    sampling = false;
    expect(results.filter(Boolean)).toHaveLength(8);
    expect(most).toBe(2);
    expect(hasher.load()).toEqual({ running: 0, queued: 0 });
    await expect(hasher.hash('after the burst')).resolves.toMatch(/^\$argon2id\$/);
  });

  test('verifyNothing counts against the bound like verify, so unknown users cannot bypass it', async () => {
    const hasher = createPasswordHasher(cheap, { maxConcurrent: 1, maxQueued: 1 });
    const encoded = await hasher.hash('x');
    const admitted = [hasher.verify(encoded, 'a'), hasher.verify(encoded, 'b')];
    await expect(hasher.verifyNothing('c')).rejects.toBeInstanceOf(PasswordHasherBusy);
    await Promise.all(admitted);
    await expect(hasher.verifyNothing('d')).resolves.toBe(false);
  });

  test('by default one runs at once per CPU, at most as many as the libuv thread pool has threads', () => {
    expect(threadPoolSize({})).toBe(4);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '16' })).toBe(16);
    // As libuv reads it: atoi(), 0 is 1, past 1024 (or negative: unsigned there) is 1024.
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: 'lots' })).toBe(1);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '0' })).toBe(1);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '' })).toBe(1);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: ' 8 threads' })).toBe(8);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '5000' })).toBe(1024);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '-3' })).toBe(1024);
    expect(defaultArgon2Concurrency({}, 2)).toBe(2);
    expect(defaultArgon2Concurrency({}, 64)).toBe(4);
    expect(defaultArgon2Concurrency({ UV_THREADPOOL_SIZE: '16' }, 8)).toBe(8);
    expect(defaultArgon2Concurrency({ UV_THREADPOOL_SIZE: '1' }, 8)).toBe(1);
  });
});

describe('argon2id parameters', () => {
  test('by default hashes use the OWASP parameters m=19456 KiB, t=2, p=1, set explicitly', async () => {
    const hasher = createPasswordHasherFromConfig(loadConfig({ env: {} }));
    const encoded = await hasher.hash('correct horse battery');
    expect(encoded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(encoded, 'correct horse battery')).toBe(true);
    expect(hasher.needsRehash(encoded)).toBe(false);
  });

  test('ARGON2_* settings change them, and hashes made with other ones need a rehash', async () => {
    const stronger = createPasswordHasherFromConfig(loadConfig({ env: { ARGON2_MEMORY_KIB: '32768', ARGON2_ITERATIONS: '3' } }));
    const old = await createPasswordHasher(cheap).hash('pw');
    expect(stronger.needsRehash(old)).toBe(true);
    expect(await stronger.hash('pw')).toMatch(/^\$argon2id\$v=19\$m=32768,t=3,p=1\$/);
    expect(stronger.needsRehash('not a hash')).toBe(true);
  });
});
