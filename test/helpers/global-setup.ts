import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { missingRedis } from './prerequisite';
import { startRedisServer, redisServerInstalled } from './redis-server';

/**
 * Redis for the Redis-backed tests: REDIS_URL when set, otherwise a private redis-server on a
 * free port; with neither the run fails. Also builds dist/ for the end-to-end tests: the
 * bundle and the single executable.
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
  missingRedis();
}

/** Builds dist/gatehouse afresh, so its tests never run an old one; a failed build fails the run. */
function buildBinary(): void {
  rmSync('dist/gatehouse', { force: true });
  execFileSync(process.execPath, ['scripts/build-binary.mjs'], { stdio: ['ignore', 'ignore', 'pipe'] });
}
