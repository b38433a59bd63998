import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cliAccess, freePort, retryWhenTaken, startRedisServer, stopAll, waitUntil, type RedisServer, type ServerAccess } from './redis-server';

const execFileAsync = promisify(execFile);

/** A Redis Cluster of private redis-server processes on loopback ports. */
export interface RedisCluster {
  /** Masters first, then replicas, in the order `redis-cli --cluster create` was given them. */
  readonly servers: readonly RedisServer[];
  /** host:port of every node, comma-separated: a value for REDIS_CLUSTER_NODES. */
  readonly nodes: string;
  /** Stops every node and removes their data directories. */
  stop(): Promise<void>;
}

export interface ClusterOptions extends ServerAccess {
  /** Number of masters (the slots are split between them); at least 3. */
  masters?: number;
  /** Replicas per master. */
  replicas?: number;
  /** Extra redis-server options for every node (e.g. ACL users). */
  args?: string[];
}

/**
 * Starts `masters × (1 + replicas)` cluster-enabled nodes, joins them with
 * `redis-cli --cluster create` and waits until every node reports cluster_state:ok with all
 * 16384 slots assigned. On any failure the nodes started so far are stopped.
 */
export async function startRedisCluster({ masters = 3, replicas = 0, args = [], ...access }: ClusterOptions = {}): Promise<RedisCluster> {
  const servers: RedisServer[] = [];
  try {
    const count = masters * (1 + replicas);
    for (let i = 0; i < count; i++) {
      // A new bus port on each attempt too: it can be taken meanwhile as well.
      const node = await retryWhenTaken(async () => startRedisServer(
        [
          ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(await freePort())],
          // Fast failure detection on loopback; production uses the default 15000.
          ...['--cluster-node-timeout', '1000'],
          // Replicas sync at once (the default waits 5 s for more replicas to share one transfer).
          ...['--repl-diskless-sync-delay', '0'],
          ...(access.tls ? ['--tls-cluster', 'yes', '--tls-replication', 'yes'] : []),
          ...args,
        ],
        undefined,
        access,
      ));
      servers.push(node);
    }
    const first = servers[0]!;
    await execFileAsync(
      'redis-cli',
      [
        ...cliAccess(first.port, access),
        ...['--cluster', 'create', ...servers.map((s) => `127.0.0.1:${s.port}`)],
        ...['--cluster-replicas', String(replicas), '--cluster-yes'],
      ],
      { timeout: 30_000 },
    );
    await waitUntil('cluster_state:ok on every node', 20_000, async () => {
      const infos = await Promise.all(servers.map((s) => s.cli('cluster', 'info').catch(() => '')));
      return infos.every((info) => /cluster_state:ok/.test(info) && /cluster_slots_ok:16384/.test(info));
    });
    if (replicas > 0) {
      await waitUntil('every replica in sync with its master', 20_000, async () => {
        const roles = await Promise.all(servers.slice(masters).map((s) => s.cli('info', 'replication').catch(() => '')));
        return roles.every((r) => /master_link_status:up/.test(r));
      });
    }
  } catch (err) {
    await stopAll(servers);
    throw err;
  }
  return {
    servers,
    nodes: servers.map((s) => `127.0.0.1:${s.port}`).join(','),
    stop: () => stopAll(servers),
  };
}
