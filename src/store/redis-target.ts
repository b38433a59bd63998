import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import { redisMode, redisTlsEnabled, type HostPort, type RedisSettings } from '../config/redis-settings';
import { maskedUrl } from '../masked-url';
import { failFastClusterOptions, failFastOptions } from './redis-connection';

/** Where and how to connect: the ioredis options for one of the three modes. */
export type RedisTarget =
  | { readonly mode: 'standalone'; readonly url: string; readonly options: RedisOptions }
  | { readonly mode: 'sentinel'; readonly options: RedisOptions }
  | { readonly mode: 'cluster'; readonly nodes: readonly HostPort[]; readonly options: ClusterOptions };

export interface TargetOverrides {
  /** Command deadline in ms instead of the fail-fast default (admin commands, busy test machines). */
  commandTimeout?: number;
  /** CLIENT SETNAME of every connection, so operators can tell gatehouse's in CLIENT LIST. */
  connectionName?: string;
}

/**
 * The ioredis options for the configured Redis: the fail-fast policy in every mode, ACL
 * credentials and TLS applied to the data nodes (and, for Sentinel, to the Sentinels), and
 * reads always from masters (a replica may not have seen a logout yet).
 */
export function redisTarget(settings: RedisSettings, overrides: TargetOverrides = {}): RedisTarget {
  const tls = redisTlsEnabled(settings) ? tlsOptions(settings) : undefined;
  const credentials: RedisOptions = {};
  if (settings.REDIS_USERNAME) credentials.username = settings.REDIS_USERNAME;
  if (settings.REDIS_PASSWORD) credentials.password = settings.REDIS_PASSWORD;
  const perClient: RedisOptions = {};
  if (overrides.commandTimeout !== undefined) perClient.commandTimeout = overrides.commandTimeout;
  if (overrides.connectionName !== undefined) perClient.connectionName = overrides.connectionName;

  switch (redisMode(settings)) {
    case 'standalone':
      // The URL's own credentials and rediss:// win over these (ioredis reads the URL first).
      return { mode: 'standalone', url: settings.REDIS_URL, options: { ...failFastOptions, ...credentials, ...(tls && { tls }), ...perClient } };
    case 'sentinel':
      return {
        mode: 'sentinel',
        options: {
          ...failFastOptions,
          ...credentials,
          ...perClient,
          sentinels: settings.REDIS_SENTINELS.map(({ host, port }) => ({ host, port })),
          name: settings.REDIS_SENTINEL_NAME,
          ...(settings.REDIS_SENTINEL_USERNAME && { sentinelUsername: settings.REDIS_SENTINEL_USERNAME }),
          ...(settings.REDIS_SENTINEL_PASSWORD && { sentinelPassword: settings.REDIS_SENTINEL_PASSWORD }),
          // One TLS setting for the whole deployment: the master and the Sentinels alike.
          ...(tls && { tls, enableTLSForSentinelMode: true, sentinelTLS: tls }),
          // A Sentinel that accepts the connection but does not answer must not stall a reconnect.
          sentinelCommandTimeout: 1000,
          // While the master is lost, ask the Sentinels for the new one twice a second (not once):
          // it takes up to half a second off each failover and costs them little.
          retryStrategy: sentinelReconnectDelay,
          // Keep asking while no Sentinel answers, too.
          sentinelRetryStrategy: sentinelReconnectDelay,
          // A demoted master answers writes with READONLY: reconnect, asking the Sentinels anew.
          // The command that got READONLY is not re-sent (it fails: 503), as everywhere else.
          reconnectOnError: (err: Error) => err.message.startsWith('READONLY'),
          // Not ioredis's failoverDetector: in ioredis 6.0.0 its +switch-master arriving while the
          // client is reconnecting (that is, during every failover) ends the client for good.
          failoverDetector: false,
        },
      };
    case 'cluster':
      return {
        mode: 'cluster',
        nodes: settings.REDIS_CLUSTER_NODES,
        options: {
          ...failFastClusterOptions,
          redisOptions: { ...failFastClusterOptions.redisOptions, ...credentials, ...(tls && { tls }), ...perClient },
          // With TLS, connect to the names given (so certificates are checked against them)
          // rather than to the addresses ioredis would resolve them to.
          ...(tls && { dnsLookup: (address: string, callback: (err: null, address: string) => void) => callback(null, address) }),
        },
      };
  }
}

const sentinelReconnectDelay = (attempt: number) => Math.min(attempt * 100, 500);

function tlsOptions(settings: RedisSettings): ConnectionOptions {
  const tls: ConnectionOptions = {};
  if (settings.REDIS_TLS_CA) tls.ca = readFileSync(settings.REDIS_TLS_CA);
  if (settings.REDIS_TLS_CERT) tls.cert = readFileSync(settings.REDIS_TLS_CERT);
  if (settings.REDIS_TLS_KEY) tls.key = readFileSync(settings.REDIS_TLS_KEY);
  return tls;
}

/** Where gatehouse's Redis is, for the start-up log line and error messages: no password ever. */
export function describeRedisTarget(settings: RedisSettings): string {
  const tls = redisTlsEnabled(settings) ? ' over TLS' : '';
  const user = settings.REDIS_USERNAME ? ` as ${settings.REDIS_USERNAME}` : '';
  const list = (nodes: readonly HostPort[]) => nodes.map(({ host, port }) => `${host.includes(':') ? `[${host}]` : host}:${port}`).join(',');
  switch (redisMode(settings)) {
    case 'standalone': {
      const url = new URL(settings.REDIS_URL);
      return `${maskedUrl(url)}${url.protocol === 'rediss:' ? '' : tls}${user}`;
    }
    case 'sentinel':
      return `Sentinel master ${settings.REDIS_SENTINEL_NAME} via ${list(settings.REDIS_SENTINELS)}${tls}${user}`;
    case 'cluster':
      return `Redis Cluster via ${list(settings.REDIS_CLUSTER_NODES)}${tls}${user}`;
  }
}
