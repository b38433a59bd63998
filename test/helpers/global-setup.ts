import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { startRedisServer, redisServerInstalled } from './redis-server';

/**
 * Redis for the Redis-backed tests: REDIS_URL when set; otherwise a private redis-server on a
 * free port when one is installed; otherwise those tests are skipped with a notice, unless
 * CI=true, where a missing Redis fails the run. Also builds dist/ for the end-to-end tests:
 * the bundle and the single executable.
 */
export default async function globalSetup(): Promise<void> {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  buildBinary();
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

/**
 * Builds dist/gatehouse afresh, so its tests never run an old one. Where it cannot be built
 * (not Linux x64) its tests are left out with a notice, except with CI=true, where that fails.
 */
function buildBinary(): void {
  rmSync('dist/gatehouse', { force: true });
  try {
    execFileSync(process.execPath, ['scripts/build-binary.mjs'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    if (process.env.CI === 'true') throw err;
    process.stdout.write(`\nNOTICE: the single executable could not be built; its tests are left out.\n${String(err)}\n`);
  }
}
