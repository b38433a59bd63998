import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { list } from './list';

/**
 * The Redis connection settings beyond REDIS_URL: Sentinel, Cluster, ACL credentials and TLS.
 * Which mode gatehouse runs in follows from what is set: REDIS_SENTINELS → Sentinel,
 * REDIS_CLUSTER_NODES → Cluster, neither → the single server of REDIS_URL.
 */

/** A Redis or Sentinel node. */
export interface HostPort {
  readonly host: string;
  /** TCP port, 1 to 65535. */
  readonly port: number;
}

// host:port, the host a name, an IPv4 address or a bracketed IPv6 address ([::1]:6379).
const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;

/** A comma-separated list (environment) or JSON array (file) of host:port entries. */
export const hostPortList = list.transform((entries, ctx) => {
  const nodes: HostPort[] = [];
  entries.forEach((entry, i) => {
    const match = HOST_PORT.exec(entry);
    const port = Number(match?.[3]);
    if (match === null || port < 1 || port > 65535) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must be host:port (a port from 1 to 65535)` });
    } else {
      nodes.push(Object.freeze({ host: (match[1] ?? match[2])!, port }));
    }
  });
  return nodes;
});

/** Optional text: empty means unset. Messages never echo the value (it may be a password). */
export const optionalText = (max: number, pattern: RegExp, hint: string) =>
  z
    .string({ error: 'must be a string' })
    .max(max, { error: `must be at most ${max} characters` })
    .regex(pattern, { error: hint });

/** A name (master name, ACL user): no spaces or control characters. */
export const redisName = optionalText(256, /^[^\s\x00-\x1f\x7f]*$/, 'must not contain spaces or control characters');

/** A password: anything but control characters. */
export const redisSecret = optionalText(512, /^[^\x00-\x1f\x7f]*$/, 'must not contain control characters');

/** A file path (empty for none). */
export const filePath = optionalText(4096, /^[^\x00]*$/, 'must be a file path');

/** A redis:// or rediss:// URL that parses. */
export const redisUrl = z
  .string({ error: 'must be a string' })
  .refine((v) => /^rediss?:\/\/\S+$/.test(v) && URL.canParse(v), { error: 'must be a redis:// or rediss:// URL' });

/** The Redis settings as validated one by one; `checkRedisSettings` relates them. */
export interface RedisSettings {
  REDIS_URL: string;
  REDIS_SENTINELS: readonly HostPort[];
  REDIS_SENTINEL_NAME: string;
  REDIS_SENTINEL_USERNAME: string;
  REDIS_SENTINEL_PASSWORD: string;
  REDIS_CLUSTER_NODES: readonly HostPort[];
  REDIS_USERNAME: string;
  REDIS_PASSWORD: string;
  REDIS_TLS: boolean;
  REDIS_TLS_CA: string;
  REDIS_TLS_CERT: string;
  REDIS_TLS_KEY: string;
}

export type RedisMode = 'standalone' | 'sentinel' | 'cluster';

export function redisMode(s: Pick<RedisSettings, 'REDIS_SENTINELS' | 'REDIS_CLUSTER_NODES'>): RedisMode {
  if (s.REDIS_SENTINELS.length > 0) return 'sentinel';
  if (s.REDIS_CLUSTER_NODES.length > 0) return 'cluster';
  return 'standalone';
}

/** TLS is on with REDIS_TLS=true, or in standalone mode with a rediss:// REDIS_URL. */
export function redisTlsEnabled(s: Pick<RedisSettings, 'REDIS_TLS' | 'REDIS_URL' | 'REDIS_SENTINELS' | 'REDIS_CLUSTER_NODES'>): boolean {
  return s.REDIS_TLS || (redisMode(s) === 'standalone' && s.REDIS_URL.startsWith('rediss://'));
}

/**
 * The problems between Redis settings that are each valid alone: a mode set twice, a name or
 * credential missing, credentials given in two places or where they would be ignored, TLS files
 * without TLS or that cannot be read. Problems name settings and files, never secret values.
 */
export function checkRedisSettings(s: Partial<RedisSettings>): string[] {
  const problems: string[] = [];
  const sentinels = s.REDIS_SENTINELS ?? [];
  const clusterNodes = s.REDIS_CLUSTER_NODES ?? [];
  if (sentinels.length > 0 && clusterNodes.length > 0) {
    problems.push('REDIS_SENTINELS and REDIS_CLUSTER_NODES: set one of them, not both');
  }
  if (sentinels.length > 0 && !s.REDIS_SENTINEL_NAME) {
    problems.push('REDIS_SENTINEL_NAME: required with REDIS_SENTINELS (the master name of `sentinel monitor`)');
  }
  if (sentinels.length === 0) {
    for (const name of ['REDIS_SENTINEL_NAME', 'REDIS_SENTINEL_USERNAME', 'REDIS_SENTINEL_PASSWORD'] as const) {
      if (s[name]) problems.push(`${name}: only used with REDIS_SENTINELS, which is not set`);
    }
  }
  if (s.REDIS_USERNAME && !s.REDIS_PASSWORD) problems.push('REDIS_USERNAME: needs REDIS_PASSWORD');
  if (s.REDIS_SENTINEL_USERNAME && !s.REDIS_SENTINEL_PASSWORD) {
    problems.push('REDIS_SENTINEL_USERNAME: needs REDIS_SENTINEL_PASSWORD');
  }

  const url = s.REDIS_URL === undefined ? undefined : new URL(s.REDIS_URL);
  const urlHasCredentials = url !== undefined && (url.username !== '' || url.password !== '');
  if (url !== undefined && sentinels.length + clusterNodes.length > 0) {
    if (urlHasCredentials || url.protocol === 'rediss:') {
      problems.push(
        'REDIS_URL: is not used with REDIS_SENTINELS or REDIS_CLUSTER_NODES, so its credentials or rediss:// ' +
          'would be ignored; use REDIS_USERNAME, REDIS_PASSWORD and REDIS_TLS',
      );
    }
  } else if (urlHasCredentials && (s.REDIS_USERNAME || s.REDIS_PASSWORD)) {
    problems.push('REDIS_PASSWORD: REDIS_URL carries credentials too; give them in one place');
  }

  if (Boolean(s.REDIS_TLS_CERT) !== Boolean(s.REDIS_TLS_KEY)) {
    problems.push('REDIS_TLS_CERT and REDIS_TLS_KEY: set both (a client certificate and its key) or neither');
  }
  // Whether TLS is off can only be said when the settings it depends on are valid.
  const tlsOff =
    s.REDIS_TLS !== undefined &&
    s.REDIS_URL !== undefined &&
    !redisTlsEnabled({ REDIS_TLS: s.REDIS_TLS, REDIS_URL: s.REDIS_URL, REDIS_SENTINELS: sentinels, REDIS_CLUSTER_NODES: clusterNodes });
  for (const name of ['REDIS_TLS_CA', 'REDIS_TLS_CERT', 'REDIS_TLS_KEY'] as const) {
    const path = s[name];
    if (!path) continue;
    if (tlsOff) {
      problems.push(`${name}: set, but TLS is off (set REDIS_TLS=true, or use a rediss:// REDIS_URL)`);
    }
    const problem = pemProblem(path);
    if (problem !== null) problems.push(`${name}: ${problem}`);
  }
  return problems;
}

function pemProblem(path: string): string | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
  }
  return text.includes('-----BEGIN ') ? null : `${path} is not a PEM file`;
}
