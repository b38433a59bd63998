import { generateLocalKey } from '../../src/tokens/paserk';
import { dashboard, register, tokenFor } from '../helpers/gatehouse-client';
import { startGatehouse, type GatehouseProcess } from '../helpers/gatehouse-process';
import { uniquePrefix } from '../helpers/redis';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster';
import { describeWithRedisServer, waitUntil } from '../helpers/redis-server';

/**
 * A Redis Cluster failover under a serving gatehouse process: the master holding one user's slot
 * is killed; that user's requests get 503 until the cluster promotes the master's replica, while
 * users on the other masters are served throughout (cluster-require-full-coverage no). The
 * cluster is tuned for speed (cluster-node-timeout 1000); see the README for production values.
 */
describeWithRedisServer('Redis Cluster failover with gatehouse serving', () => {
  const prefix = uniquePrefix('cluster-failover');
  const password = 'cluster failover password';
  let cluster: RedisCluster;
  let gatehouse: GatehouseProcess;
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicas: 1, args: ['--cluster-require-full-coverage', 'no'] });
    gatehouse = await startGatehouse({
      STORE: 'redis',
      REDIS_CLUSTER_NODES: cluster.nodes,
      REDIS_PREFIX: prefix,
      TOKEN_KEYS: generateLocalKey(),
    });
  }, 60_000);
  afterAll(async () => {
    await gatehouse?.stop();
    await cluster?.stop();
  });

  /** The node now serving `username`'s slot as master (from each node's own CLUSTER NODES line). */
  const masterOf = async (username: string) => {
    const slot = Number((await cluster.servers[0]!.cli('cluster', 'keyslot', `${prefix}{${username}}:user`)).trim());
    for (const node of cluster.servers) {
      const nodes = await node.cli('cluster', 'nodes').catch(() => '');
      // <id> <addr> <flags> <master> <ping> <pong> <epoch> <link> <slot or range>...
      const fields = nodes.split('\n').find((line) => line.includes('myself'))?.split(' ') ?? [];
      if (!fields[2]?.split(',').includes('master')) continue;
      for (const range of fields.slice(8)) {
        const [first, last = first] = range.split('-').map(Number);
        if (slot >= first! && slot <= last!) return node;
      }
    }
    throw new Error(`no master serves slot ${slot}`);
  };

  test('the master of a user is killed: 503 for that user briefly, then its replica serves; others never notice', async () => {
    // Users until one lives on a master other than the victim's.
    const users = ['una', 'vera', 'wade', 'xena', 'yuri', 'zoe'];
    for (const user of users) expect((await register(gatehouse.url, user, password)).status).toBe(201);
    const victim = users[0]!;
    const victimMaster = await masterOf(victim);
    const bystander = (await Promise.all(users.map(async (u) => ((await masterOf(u)) === victimMaster ? null : u)))).find(Boolean)!;
    expect(bystander).toBeDefined();
    const [victimToken, bystanderToken] = [await tokenFor(gatehouse.url, victim, password), await tokenFor(gatehouse.url, bystander, password)];
    // Replication is asynchronous: let the victim's session reach its replica before the kill.
    await waitUntil('the replica to catch up', 5000, async () => {
      const info = await victimMaster.cli('info', 'replication');
      const offset = /master_repl_offset:(\d+)/.exec(info)?.[1];
      return offset !== undefined && /slave0:.*offset=(\d+)/.exec(info)?.[1] === offset;
    });

    const seen: { at: number; victim: number; bystander: number }[] = [];
    const killedAt = Date.now();
    await victimMaster.stop();
    await waitUntil('gatehouse to serve the victim again', 30_000, async () => {
      const [v, b] = await Promise.all(
        [victimToken, bystanderToken].map((t) => dashboard(gatehouse.url, t, 2000).then((r) => r.status, () => 0)),
      );
      seen.push({ at: Date.now() - killedAt, victim: v!, bystander: b! });
      return v === 200;
    });
    const recoveredMs = seen.at(-1)!.at;
    process.stdout.write(
      `Cluster failover: first success for the killed master's user ${recoveredMs} ms after the kill; ` +
        `${seen.filter((s) => s.victim === 503).length} of ${seen.length} probes answered 503 meanwhile\n`,
    );
    expect(new Set(seen.slice(0, -1).map((s) => s.victim))).toEqual(new Set([503]));
    expect(seen.filter((s) => s.victim === 503).length).toBeGreaterThan(0);
    expect(recoveredMs).toBeLessThan(20_000);
    // The user on a healthy master was served all along.
    expect(new Set(seen.map((s) => s.bystander))).toEqual(new Set([200]));
    // Writes to the promoted replica work, and the same process serves them.
    expect(gatehouse.child.exitCode).toBeNull();
    expect(await masterOf(victim)).not.toBe(victimMaster);
    expect((await fetch(`${gatehouse.url}/logout/`, { headers: { Authorization: `Bearer ${victimToken}` } })).status).toBe(200);
    expect((await dashboard(gatehouse.url, victimToken)).status).toBe(401);
  }, 60_000);
});
