import { z } from 'zod';
import { list } from './list';
import { filePath, hostPortList, redisName, redisSecret, redisUrl } from './redis-settings';

/**
 * Every setting gatehouse reads. Names are the environment variable names and the keys of a
 * config file, so one setting has one name everywhere. Defaults live in config/default.json.
 */

// Environment variables are strings; a JSON config file may hold real numbers and booleans.
// `rule`, when given, is the one message for every way the value can be wrong.
const integer = (min: number, max: number, rule?: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
    z
      .number({ error: rule ?? 'must be a whole number' })
      .int({ error: rule ?? 'must be a whole number' })
      .min(min, { error: rule ?? `must be at least ${min}` })
      .max(max, { error: rule ?? `must be at most ${max}` }),
  );

const boolean = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v;
    const s = v.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(s)) return false;
    return v;
  },
  z.boolean({ error: 'must be true or false (also 1/0, yes/no, on/off)' }),
);

// An HTTP header name (RFC 9110 §5.1 token), for the alternative token header.
const headerName = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{0,64}$/, { error: 'must be an HTTP header name (or empty to turn it off)' })
  .refine((v) => v.toLowerCase() !== 'authorization', { error: 'must not be Authorization, which is always read' });

// METRICS_PORT: empty (or null in a config file) serves /metrics on PORT. One message for
// every way it can be wrong, as the rule has two halves.
const metricsPort = z.preprocess(
  (v) => (v === '' ? null : v),
  integer(0, 65535, 'must be a whole number from 0 to 65535, or empty to serve metrics on PORT').nullable(),
);

const text = (pattern: RegExp, hint: string) => z.string({ error: 'must be a string' }).regex(pattern, { error: hint });

/**
 * Introspection/revocation clients, "id:secret" each. Problems never echo the entry, which
 * holds a secret. Secrets are limited to characters that form-urlencoding leaves alone, so
 * that clients which encode them for HTTP Basic (RFC 6749 §2.3.1) and clients which do not
 * send the same bytes.
 */
const CLIENT = /^([A-Za-z0-9._~-]{1,64}):([A-Za-z0-9._~-]{16,256})$/;
const clientList = list.transform((entries, ctx) => {
  const clients: IntrospectionClient[] = [];
  entries.forEach((entry, i) => {
    const match = CLIENT.exec(entry);
    if (match === null) {
      ctx.addIssue({
        code: 'custom',
        message:
          `entry ${i + 1} must be "id:secret": an id of 1 to 64 and a secret of 16 to 256 characters ` +
          '(letters, digits and . _ ~ -)',
      });
    } else if (clients.some((c) => c.id === match[1])) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} repeats the client id ${match[1]}` });
    } else {
      clients.push(Object.freeze({ id: match[1]!, secret: match[2]! }));
    }
  });
  return clients;
});

/** A service allowed to call /oauth2/introspect and /oauth2/revoke (HTTP Basic). */
export interface IntrospectionClient {
  readonly id: string;
  readonly secret: string;
}

export const settingsSchema = z.strictObject({
  PORT: integer(0, 65535),
  HOST: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
  STORE: z.enum(['memory', 'redis'], { error: 'must be "memory" or "redis"' }),
  REDIS_URL: redisUrl,
  // Braces would break the Redis Cluster hash tags gatehouse puts around each username.
  REDIS_PREFIX: text(/^[^{}\s]{0,64}$/, 'must be at most 64 characters without spaces or braces'),
  // Sentinel, Cluster, ACL and TLS: see redis-settings.ts (checkRedisSettings relates them).
  REDIS_SENTINELS: hostPortList,
  REDIS_SENTINEL_NAME: redisName,
  REDIS_SENTINEL_USERNAME: redisName,
  REDIS_SENTINEL_PASSWORD: redisSecret,
  REDIS_CLUSTER_NODES: hostPortList,
  REDIS_USERNAME: redisName,
  REDIS_PASSWORD: redisSecret,
  REDIS_TLS: boolean,
  REDIS_TLS_CA: filePath,
  REDIS_TLS_CERT: filePath,
  REDIS_TLS_KEY: filePath,
  TOKEN_KEYS: list,
  TOKEN_TTL: integer(60, 30 * 24 * 3600),
  TOKEN_ISSUER: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(256),
  MAX_SESSIONS_PER_USER: integer(1, 10_000),
  TOKEN_CACHE_SIZE: integer(0, 1_000_000),
  TOKEN_WORKER: boolean,
  ARGON2_MEMORY_KIB: integer(8 * 1024, 4 * 1024 * 1024),
  ARGON2_ITERATIONS: integer(1, 100),
  ARGON2_PARALLELISM: integer(1, 64),
  // 0: as many as the libuv thread pool has threads (argon2 runs there).
  ARGON2_MAX_CONCURRENT: integer(0, 1024),
  ARGON2_MAX_QUEUED: integer(0, 10_000),
  // Added to the nice value of the thread pool's threads (src/passwords/hashing-priority.ts).
  ARGON2_NICE: integer(0, 19),
  LOGIN_FAILURES_PER_ACCOUNT: integer(1, 1_000_000),
  LOGIN_FAILURES_PER_ADDRESS: integer(1, 1_000_000),
  LOGIN_FAILURE_WINDOW: integer(1, 7 * 24 * 3600),
  BODY_LIMIT: integer(1024, 10 * 1024 * 1024),
  HEADER_LIMIT: integer(1024, 1024 * 1024),
  HEADERS_TIMEOUT: integer(1, 3600),
  REQUEST_TIMEOUT: integer(1, 3600),
  SHUTDOWN_DELAY: integer(0, 3600),
  SHUTDOWN_GRACE: integer(0, 3600),
  REDIS_DURABILITY: z.enum(['warn', 'require'], { error: 'must be "warn" or "require"' }),
  TRUST_PROXY: boolean,
  AUTH_TOKEN_HEADER: headerName,
  INTROSPECTION_CLIENTS: clientList,
  // Percent; 0 leaves V8's own heap growth heuristic (src/heap.ts), whose largest factor is 4.
  HEAP_GROWTH_PERCENT: integer(0, 300),
  // MB per semi-space; 0 leaves V8's own limit, 16 MB (src/heap.ts).
  SEMI_SPACE_MB: integer(0, 16),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty'], { error: 'must be auto, json or pretty' }),
  // null: /metrics is served on PORT; a number: only on that port, on HOST.
  METRICS_PORT: metricsPort,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    error: 'must be one of fatal, error, warn, info, debug, trace, silent',
  }),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingName = keyof Settings;
export const settingNames = Object.keys(settingsSchema.shape) as SettingName[];

/**
 * METRICS_PORT and PORT cannot be the same port (the second listener would find it taken),
 * except 0 for both: each then gets a free port of its own.
 */
export function checkMetricsPort({ PORT: port, METRICS_PORT: metricsPort }: Partial<Settings>): string[] {
  if (port === undefined || metricsPort === undefined || metricsPort === null) return [];
  if (metricsPort !== port || port === 0) return [];
  return [`METRICS_PORT: must differ from PORT (${port})`];
}
