/**
 * The benchmark's yardsticks, in a Koa + @koa/router process like gatehouse's: a bare JSON route
 * (`/plain`), the same route doing one Redis GET (`/redis`), a route doing one argon2id verify
 * with gatehouse's default parameters (`/argon2`, for logins), and the same verify between a
 * Redis GET and a SET (`/argon2-redis`: the two round trips a login cannot do without).
 * gatehouse's routes are measured against these in the same run. argon2 runs as in gatehouse:
 * on libuv's thread pool, at gatehouse's ARGON2_NICE (passed in by bench/run.ts), so that P3
 * compares the work around a verify and not the priority it runs at.
 */
import { Router } from '@koa/router';
import { hash, verify } from '@node-rs/argon2';
import { Redis } from 'ioredis';
import Koa from 'koa';
import { lowerThreadPoolPriority } from '../src/passwords/hashing-priority';

// Before anything queues work on the thread pool (the hash below does).
const nice = Number(process.env.ARGON2_NICE ?? 0);
if (!Number.isInteger(nice) || nice < 0 || nice > 19) throw new Error(`ARGON2_NICE must be a whole number from 0 to 19, not ${process.env.ARGON2_NICE}`);
const priority = lowerThreadPoolPriority(nice);

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const key = `${process.env.BENCH_PREFIX ?? 'gatehouse-bench:'}baseline`;
const app = new Koa();
const router = new Router();
router.get('/plain', (ctx) => {
  ctx.body = { msg: 'successfully requested user info', data: { username: 'alice', first_name: null, last_name: null } };
});
router.get('/redis', async (ctx) => {
  const value = await redis.get(key);
  ctx.body = { msg: 'successfully requested user info', data: { username: value, first_name: null, last_name: null } };
});
// argon2id (algorithm 2), m=19456 KiB, t=2, p=1: gatehouse's defaults.
const encoded = hash('correct horse battery staple', { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as never);
router.post('/argon2', async (ctx) => {
  const ok = await verify(await encoded, 'correct horse battery staple');
  ctx.body = { msg: 'verified', data: { ok } };
});
// A login's floor: the verify between two Redis round trips, as a login needs (one before argon2,
// the throttle's count with the user's record; one after, the session), with nothing else.
router.post('/argon2-redis', async (ctx) => {
  const username = await redis.get(key);
  const ok = await verify(await encoded, 'correct horse battery staple');
  await redis.set(`${key}:session`, username ?? '', 'EX', 60);
  ctx.body = { msg: 'verified', data: { ok } };
});
app.use(router.routes());

redis.set(key, 'alice').then(() => {
  const server = app.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, argon2Priority: priority })}\n`);
  });
  process.once('SIGTERM', () => {
    server.close();
    redis.disconnect();
  });
});
