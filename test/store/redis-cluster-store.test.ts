import type { Cluster } from 'ioredis';
import { RedisStore } from '../../src/store/redis-store';
import { redisClientFor, uniquePrefix } from '../helpers/redis';
import { describeWithRedisServer } from '../helpers/redis-server';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster';
import { storeContract } from './store.contract';

/**
 * The Store contract against a real 3-master Redis Cluster, through gatehouse's own Cluster
 * connection (REDIS_CLUSTER_NODES). A script whose keys were not all in one slot would fail here
 * with CROSSSLOT; one sent to the wrong master would be redirected (MOVED).
 */
describeWithRedisServer('RedisStore on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let redis: Cluster;
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    redis = (await redisClientFor({ REDIS_CLUSTER_NODES: cluster.nodes })) as Cluster;
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
  });

  storeContract('redis cluster', {
    create: async () => new RedisStore(redis, uniquePrefix('cluster')),
    destroy: async () => {},
  });

  test('spreads users over every master, each user whole on one of them', async () => {
    const prefix = uniquePrefix('spread');
    const store = new RedisStore(redis, prefix);
    const now = Date.now();
    for (let i = 0; i < 24; i++) {
      const username = `spread${i}`;
      await store.createUser({ username, passwordHash: 'h', firstName: null, lastName: null, createdAt: now });
      const { generation } = (await store.findUser(username))!;
      const session = { jti: `jti${i}`.padEnd(22, 'x'), username, issuedAt: now, expiresAt: now + 60_000, userAgent: null, address: null };
      expect(await store.createSession(session, generation, 10)).toBe(true);
    }
    const perMaster = await Promise.all(
      cluster.servers.map(async (node) => (await node.cli('--scan', '--pattern', `${prefix}*`)).split('\n').filter(Boolean)),
    );
    // Every master holds some users, and each user's three keys sit together on one master.
    expect(perMaster.every((keys) => keys.length > 0)).toBe(true);
    for (const keys of perMaster) {
      const users = new Set(keys.map((k) => /\{(.+)\}/.exec(k)![1]));
      for (const user of users) {
        expect(keys.filter((k) => k.includes(`{${user}}`)).sort()).toEqual(
          [`${prefix}{${user}}:session`, `${prefix}{${user}}:sessions`, `${prefix}{${user}}:user`],
        );
      }
    }
  });
});
