/**
 * argon2 runs on the libuv thread pool: more concurrent hashes than threads only wait there,
 * invisibly and without a bound. Its size as libuv 1.46 reads UV_THREADPOOL_SIZE
 * (threadpool.c, init_threads): 4 when unset; else atoi() of it, where 0 (also for text that is
 * not a number) means 1, and more than 1024, or a negative number (an unsigned int there),
 * means 1024.
 */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.UV_THREADPOOL_SIZE;
  if (value === undefined) return 4;
  const size = Number.parseInt(value, 10) || 0;
  if (size === 0) return 1;
  return size < 0 || size > 1024 ? 1024 : size;
}
