/**
 * What the test suite needs from the machine (Redis, redis-server, nginx, Chromium, the single
 * executable) is required, never optional: a missing one fails the run with this error, naming
 * it and how to get it. Nothing is skipped for it, so a passing run has run every test.
 */
export function missingPrerequisite(what: string, remedy: string): never {
  throw new Error(`the tests need ${what}, not found on this machine: ${remedy}`);
}

/** No REDIS_URL, and no redis-server to start a private one. */
export function missingRedis(): never {
  return missingPrerequisite('a Redis', 'set REDIS_URL, or install redis-server (apt-get install redis-server)');
}
