/**
 * The benchmark's yardsticks: a bare Koa + @koa/router JSON route (`/plain`), and the same route
 * doing one Redis GET (`/redis`). gatehouse's routes are measured against these in the same run.
 */
import { Router } from '@koa/router';
import { Redis } from 'ioredis';
import Koa from 'koa';

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
app.use(router.routes());

redis.set(key, 'alice').then(() => {
  const server = app.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
  });
  process.once('SIGTERM', () => {
    server.close();
    redis.disconnect();
  });
});
