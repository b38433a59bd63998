import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, listenArgs, spawnRedis, startRedisServer, stopAll, waitUntil, type RedisServer, type ServerAccess } from './redis-server';

/** One master, its replicas and the Sentinels watching them, as private loopback processes. */
export interface RedisSentinelSetup {
  /** The master group name the Sentinels monitor (REDIS_SENTINEL_NAME). */
  readonly name: string;
  /** The data nodes: the first is the initial master, the rest its replicas. */
  readonly servers: readonly RedisServer[];
  readonly sentinels: readonly RedisServer[];
  /** host:port of every Sentinel, comma-separated: a value for REDIS_SENTINELS. */
  readonly sentinelNodes: string;
  /** The gatehouse settings that reach this setup: REDIS_SENTINELS and REDIS_SENTINEL_NAME. */
  readonly env: { REDIS_SENTINELS: string; REDIS_SENTINEL_NAME: string };
  /** The data node the first answering Sentinel names as master now. */
  currentMaster(): Promise<RedisServer>;
  /** Stops every process and removes the data directories. */
  stop(): Promise<void>;
}

export interface SentinelOptions extends ServerAccess {
  replicas?: number;
  sentinels?: number;
  /** Sentinels agreeing that the master is down before a failover; default: a majority. */
  quorum?: number;
  /** Sentinel's down-after-milliseconds: how long the master must not answer before it is down. */
  downAfterMs?: number;
  /** Sentinel's failover-timeout. */
  failoverTimeoutMs?: number;
  /** Extra redis-server options for the data nodes (e.g. ACL users, masteruser/masterauth). */
  serverArgs?: string[];
  /** Extra sentinel.conf lines (e.g. `requirepass`, `sentinel auth-user`). */
  sentinelConfig?: string[];
  /** How a Sentinel is reached by redis-cli (its own auth), when it differs from the data nodes. */
  sentinelAuth?: ServerAccess['auth'];
}

/**
 * Starts a master, `replicas` replicas of it and `sentinels` Sentinels (`redis-server --sentinel`)
 * monitoring it, and waits until the replicas are in sync and every Sentinel knows the master,
 * every replica and every other Sentinel, so that a failover can happen at once. On any failure
 * the processes started so far are stopped.
 */
export async function startRedisSentinel({
  replicas = 1,
  sentinels = 1,
  quorum = Math.floor(sentinels / 2) + 1,
  downAfterMs = 1000,
  failoverTimeoutMs = 5000,
  serverArgs = [],
  sentinelConfig = [],
  sentinelAuth,
  ...access
}: SentinelOptions = {}): Promise<RedisSentinelSetup> {
  const name = 'gatehouse-test';
  // Replicas sync at once (the default waits 5 s for more replicas to share one transfer).
  const replicationArgs = ['--repl-diskless-sync-delay', '0', ...(access.tls ? ['--tls-replication', 'yes'] : [])];
  const servers: RedisServer[] = [];
  const watchers: RedisServer[] = [];
  const everything = () => [...watchers, ...servers];
  try {
    const master = await startRedisServer([...replicationArgs, ...serverArgs], undefined, access);
    servers.push(master);
    for (let i = 0; i < replicas; i++) {
      servers.push(await startRedisServer(['--replicaof', '127.0.0.1', String(master.port), ...replicationArgs, ...serverArgs], undefined, access));
    }
    await waitUntil('the replicas to sync', 20_000, async () => {
      const infos = await Promise.all(servers.slice(1).map((s) => s.cli('info', 'replication').catch(() => '')));
      return infos.every((info) => /master_link_status:up/.test(info));
    });

    const sentinelAccess: ServerAccess = { ...access, auth: sentinelAuth };
    for (let i = 0; i < sentinels; i++) {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sentinel-'));
      const conf = join(dir, 'sentinel.conf');
      // Sentinel rewrites its config file as it learns the topology: it must be writable.
      writeFileSync(
        conf,
        [
          `bind 127.0.0.1`,
          `dir ${dir}`,
          'logfile redis.log',
          ...(access.tls ? ['tls-replication yes'] : []),
          `sentinel monitor ${name} 127.0.0.1 ${master.port} ${quorum}`,
          `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
          `sentinel failover-timeout ${name} ${failoverTimeoutMs}`,
          `sentinel parallel-syncs ${name} 1`,
          ...sentinelConfig,
          '',
        ].join('\n'),
      );
      const argv = [conf, '--sentinel', ...listenArgs(port, access)];
      watchers.push(await spawnRedis(argv, { port, dir, removeDir: true, access: sentinelAccess }));
    }
    await waitUntil('every Sentinel to know the master, its replicas and the other Sentinels', 30_000, async () => {
      const ready = await Promise.all(
        watchers.map(async (s) => {
          const master = await s.cli('sentinel', 'master', name).catch(() => '');
          const known = (field: string) => Number(new RegExp(`^${field}\\n(\\d+)$`, 'm').exec(master)?.[1] ?? -1);
          return known('num-slaves') === replicas && known('num-other-sentinels') === sentinels - 1;
        }),
      );
      return ready.every(Boolean);
    });
  } catch (err) {
    await stopAll(everything());
    throw err;
  }

  const sentinelNodes = watchers.map((s) => `127.0.0.1:${s.port}`).join(',');
  return {
    name,
    servers,
    sentinels: watchers,
    sentinelNodes,
    env: { REDIS_SENTINELS: sentinelNodes, REDIS_SENTINEL_NAME: name },
    async currentMaster() {
      for (const sentinel of watchers) {
        const reply = await sentinel.cli('sentinel', 'get-master-addr-by-name', name).catch(() => '');
        const port = Number(reply.trim().split('\n')[1]);
        const server = servers.find((s) => s.port === port);
        if (server) return server;
      }
      throw new Error('no Sentinel names a master');
    },
    stop: () => stopAll(everything()),
  };
}
