import type { RedisServer } from './redis-server';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __privateRedis?: RedisServer }).__privateRedis?.stop();
}
