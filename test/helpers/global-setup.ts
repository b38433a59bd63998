import { execFileSync } from 'node:child_process';
import { startRedisServer, redisServerInstalled } from './redis-server';

/**
 * Redis for the Redis-backed tests: REDIS_URL when set; otherwise a private redis-server on a
 * free port when one is installed; otherwise those tests are skipped with a notice, unless
 * CI=true, where a missing Redis fails the run. Also builds dist/ for the end-to-end tests.
 */
export default async function globalSetup(): Promise<void> {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (process.env.REDIS_URL) return;
  if (redisServerInstalled()) {
    const server = await startRedisServer();
    process.env.REDIS_URL = server.url;
    (globalThis as { __privateRedis?: unknown }).__privateRedis = server;
    return;
  }
  if (process.env.CI === 'true') {
    throw new Error('CI=true but no Redis: set REDIS_URL or install redis-server');
  }
  process.stdout.write('\nNOTICE: no REDIS_URL and no redis-server installed; Redis tests are skipped.\n\n');
}
