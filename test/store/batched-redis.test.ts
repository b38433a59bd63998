import type { Socket } from 'node:net';
import { BatchedRedis } from '../../src/store/batched-redis';
import { createRedisClient, whenReady } from '../../src/store/redis-connection';
import { deleteKeysUnder, redisUrl, testRedisClient, uniquePrefix } from '../helpers/redis';

type Writable = Socket & {
  _write(chunk: unknown, encoding: string, callback: () => void): void;
  _writev(chunks: unknown[], callback: () => void): void;
};

/** Records the socket writes of `redis`: one entry per write, holding the number of commands in it. */
function recordWrites(redis: BatchedRedis): number[] {
  const socket = (redis as unknown as { stream: Writable }).stream;
  const writes: number[] = [];
  const write = socket._write.bind(socket);
  const writev = socket._writev.bind(socket);
  socket._write = (chunk, encoding, callback) => {
    writes.push(1);
    write(chunk, encoding, callback);
  };
  socket._writev = (chunks, callback) => {
    writes.push(chunks.length);
    writev(chunks, callback);
  };
  return writes;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('BatchedRedis', () => {
  let redis: BatchedRedis;
  const prefix = uniquePrefix('batched');
  beforeEach(async () => {
    redis = (await testRedisClient()) as BatchedRedis;
  });
  afterEach(async () => {
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it('is the client gatehouse makes for a single Redis', () => {
    expect(redis).toBeInstanceOf(BatchedRedis);
  });

  it('sends the commands of one event-loop turn in one write, each with its own reply', async () => {
    const writes = recordWrites(redis);
    const keys = Array.from({ length: 10 }, (_, i) => `${prefix}k${i}`);
    const replies = await Promise.all(keys.map((key, i) => redis.set(key, `v${i}`)));
    expect(writes).toEqual([10]);
    expect(replies).toEqual(keys.map(() => 'OK'));
    expect(await redis.mget(...keys)).toEqual(keys.map((_, i) => `v${i}`));
  });

  it('sends each turn as soon as it ends and leaves the socket uncorked', async () => {
    const socket = (redis as unknown as { stream: Socket }).stream;
    const writes = recordWrites(redis);
    expect(await redis.set(`${prefix}a`, '1')).toBe('OK');
    expect(await redis.get(`${prefix}a`)).toBe('1');
    expect(await redis.incr(`${prefix}a`)).toBe(2);
    expect(writes).toEqual([1, 1, 1]);
    await turn();
    expect(socket.writableCorked).toBe(0);
  });

  it('gives an error only to the command that caused it in a batch', async () => {
    await redis.hset(`${prefix}h`, 'f', 'v');
    const writes = recordWrites(redis);
    const results = await Promise.allSettled([
      redis.set(`${prefix}s`, 'x'),
      redis.get(`${prefix}h`), // WRONGTYPE
      redis.hget(`${prefix}h`, 'f'),
      redis.get(`${prefix}s`),
    ]);
    expect(writes).toEqual([4]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message.split(' ')[0]))).toEqual([
      'OK',
      'WRONGTYPE',
      'v',
      'x',
    ]);
  });

  it('writes a MULTI and a pipeline in the same turn together with single commands, in order', async () => {
    const writes = recordWrites(redis);
    const [before, transaction, piped, after] = await Promise.all([
      redis.set(`${prefix}n`, '1'),
      redis.multi().incr(`${prefix}n`).incr(`${prefix}n`).exec(),
      redis.pipeline().get(`${prefix}n`).exec(),
      redis.get(`${prefix}n`),
    ]);
    expect(writes).toHaveLength(1);
    expect(before).toBe('OK');
    expect(transaction).toEqual([
      [null, 2],
      [null, 3],
    ]);
    expect(piped).toEqual([[null, '3']]);
    expect(after).toBe('3');
  });

  it('fails the commands of a turn whose connection is lost, then carries on after reconnecting', async () => {
    // Commands lost with their connection are failed by their deadline (ioredis does not re-send
    // them: autoResendUnfulfilledCommands is off); gatehouse's own deadline is 300 ms.
    const client = createRedisClient(redisUrl, { commandTimeout: 300, retryStrategy: () => 50 }) as BatchedRedis;
    client.on('error', () => {});
    try {
      await whenReady(client, 5000);
      const pending = [client.set(`${prefix}lost`, '1'), client.get(`${prefix}lost`)];
      (client as unknown as { stream: Socket }).stream.destroy();
      const settled = await Promise.allSettled(pending);
      expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      await whenReady(client, 5000);
      expect(await client.set(`${prefix}after`, '2')).toBe('OK');
      expect(await client.get(`${prefix}after`)).toBe('2');
    } finally {
      client.disconnect();
    }
  });
});
