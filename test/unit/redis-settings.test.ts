import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../../src/config/load';
import { failFastClusterOptions, failFastOptions } from '../../src/store/redis-connection';
import { describeRedisTarget, redisTarget } from '../../src/store/redis-target';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-redis-settings-'));
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const pem = (name: string) => {
  const path = join(dir, name);
  writeFileSync(path, PEM);
  return path;
};
const [ca, cert, key] = [pem('ca.pem'), pem('cert.pem'), pem('key.pem')];
const notPem = join(dir, 'not.pem');
writeFileSync(notPem, 'hello');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
const load = (env: Record<string, string>): Config => loadConfig({ env });

describe('Redis connection settings', () => {
  test('REDIS_SENTINELS and REDIS_CLUSTER_NODES: host:port lists (names, IPv4, bracketed IPv6), frozen', () => {
    const config = load({ REDIS_SENTINELS: ' s1.example:26379, 10.0.0.2:26380 ,[::1]:26381', REDIS_SENTINEL_NAME: 'main' });
    expect(config.REDIS_SENTINELS).toEqual([
      { host: 's1.example', port: 26379 },
      { host: '10.0.0.2', port: 26380 },
      { host: '::1', port: 26381 },
    ]);
    expect(Object.isFrozen(config.REDIS_SENTINELS)).toBe(true);
    const file = join(dir, 'cluster.json');
    writeFileSync(file, JSON.stringify({ REDIS_CLUSTER_NODES: ['redis-1:6379', 'redis-2:6379'] }));
    expect(loadConfig({ file, env: {} }).REDIS_CLUSTER_NODES).toEqual([
      { host: 'redis-1', port: 6379 },
      { host: 'redis-2', port: 6379 },
    ]);
  });

  test('bad host:port entries are reported by position', () => {
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'a:1,b,c:0,d:70000,e f:1' })).toEqual([
      'REDIS_CLUSTER_NODES: entry 2 must be host:port (a port from 1 to 65535)',
    ]);
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'c:0' })).toEqual(['REDIS_CLUSTER_NODES: entry 1 must be host:port (a port from 1 to 65535)']);
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'a:1,d:70000' })).toEqual([
      'REDIS_CLUSTER_NODES: entry 2 must be host:port (a port from 1 to 65535)',
    ]);
  });

  test('every contradiction is listed at once, naming settings and never a secret', () => {
    const problems = problemsOf({
      REDIS_URL: 'rediss://app:url-secret@redis:6379',
      REDIS_SENTINELS: 's:26379',
      REDIS_CLUSTER_NODES: 'c:6379',
      REDIS_USERNAME: 'app',
      REDIS_SENTINEL_USERNAME: 'watcher',
      REDIS_TLS_CERT: cert,
    });
    expect(problems).toEqual([
      'REDIS_SENTINELS and REDIS_CLUSTER_NODES: set one of them, not both',
      'REDIS_SENTINEL_NAME: required with REDIS_SENTINELS (the master name of `sentinel monitor`)',
      'REDIS_USERNAME: needs REDIS_PASSWORD',
      'REDIS_SENTINEL_USERNAME: needs REDIS_SENTINEL_PASSWORD',
      'REDIS_URL: is not used with REDIS_SENTINELS or REDIS_CLUSTER_NODES, so its credentials or rediss:// would be ignored; use REDIS_USERNAME, REDIS_PASSWORD and REDIS_TLS',
      'REDIS_TLS_CERT and REDIS_TLS_KEY: set both (a client certificate and its key) or neither',
      `REDIS_TLS_CERT: set, but TLS is off (set REDIS_TLS=true, or use a rediss:// REDIS_URL)`,
    ]);
    expect(problems.join('\n')).not.toContain('url-secret');
  });

  test('Sentinel settings without REDIS_SENTINELS are refused rather than ignored', () => {
    expect(problemsOf({ REDIS_SENTINEL_NAME: 'main', REDIS_SENTINEL_PASSWORD: 'sentinel-secret' })).toEqual([
      'REDIS_SENTINEL_NAME: only used with REDIS_SENTINELS, which is not set',
      'REDIS_SENTINEL_PASSWORD: only used with REDIS_SENTINELS, which is not set',
    ]);
  });

  test('credentials go in REDIS_URL or in REDIS_USERNAME/REDIS_PASSWORD, not both', () => {
    expect(problemsOf({ REDIS_URL: 'redis://:one@h:6379', REDIS_PASSWORD: 'two' })).toEqual([
      'REDIS_PASSWORD: REDIS_URL carries credentials too; give them in one place',
    ]);
    expect(problemsOf({ REDIS_URL: 'redis://h:6379', REDIS_USERNAME: 'app', REDIS_PASSWORD: 'two' })).toEqual([]);
  });

  test('TLS files must be readable PEM files; they need TLS on', () => {
    expect(problemsOf({ REDIS_TLS: 'true', REDIS_TLS_CA: join(dir, 'absent.pem') })).toEqual([
      `REDIS_TLS_CA: cannot read ${join(dir, 'absent.pem')} (ENOENT)`,
    ]);
    expect(problemsOf({ REDIS_TLS: 'true', REDIS_TLS_CA: notPem })).toEqual([`REDIS_TLS_CA: ${notPem} is not a PEM file`]);
    expect(problemsOf({ REDIS_URL: 'rediss://h:6380', REDIS_TLS_CA: ca, REDIS_TLS_CERT: cert, REDIS_TLS_KEY: key })).toEqual([]);
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'c:6379', REDIS_URL: 'redis://h:1', REDIS_TLS_CA: ca })).toEqual([
      'REDIS_TLS_CA: set, but TLS is off (set REDIS_TLS=true, or use a rediss:// REDIS_URL)',
    ]);
  });

  test('passwords may hold any printable character but no control characters; names no spaces', () => {
    expect(load({ REDIS_USERNAME: 'app', REDIS_PASSWORD: 'pa ss:wörd/+' }).REDIS_PASSWORD).toBe('pa ss:wörd/+');
    expect(problemsOf({ REDIS_USERNAME: 'a b', REDIS_PASSWORD: 'line\nbreak' })).toEqual([
      'REDIS_USERNAME: must not contain spaces or control characters',
      'REDIS_PASSWORD: must not contain control characters',
    ]);
  });

  test('REDIS_URL must parse as a URL', () => {
    expect(problemsOf({ REDIS_URL: 'redis://exa mple' })).toEqual(['REDIS_URL: must be a redis:// or rediss:// URL']);
    expect(problemsOf({ REDIS_URL: 'redis://h:99999' })).toEqual(['REDIS_URL: must be a redis:// or rediss:// URL']);
  });
});

describe('redisTarget: the ioredis options of each mode', () => {
  test('standalone: the URL, with the fail-fast options', () => {
    const target = redisTarget(load({ REDIS_URL: 'redis://h:6379/2' }));
    expect(target).toEqual({ mode: 'standalone', url: 'redis://h:6379/2', options: failFastOptions });
  });

  test('standalone: REDIS_USERNAME/REDIS_PASSWORD and REDIS_TLS with its files apply to REDIS_URL', () => {
    const target = redisTarget(load({ REDIS_USERNAME: 'app', REDIS_PASSWORD: 'pw', REDIS_TLS: 'true', REDIS_TLS_CA: ca }));
    expect(target.options).toMatchObject({ ...failFastOptions, username: 'app', password: 'pw', tls: { ca: Buffer.from(PEM) } });
  });

  test('sentinel: every Sentinel, the master name, their own credentials, TLS to both, fail-fast', () => {
    const target = redisTarget(
      load({
        REDIS_SENTINELS: 's1:26379,s2:26379',
        REDIS_SENTINEL_NAME: 'main',
        REDIS_SENTINEL_USERNAME: 'watcher',
        REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
        REDIS_USERNAME: 'app',
        REDIS_PASSWORD: 'pw',
        REDIS_TLS: 'true',
        REDIS_TLS_CERT: cert,
        REDIS_TLS_KEY: key,
      }),
    );
    expect(target.mode).toBe('sentinel');
    const tls = { cert: Buffer.from(PEM), key: Buffer.from(PEM) };
    expect(target.options).toMatchObject({
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: failFastOptions.commandTimeout,
      autoResendUnfulfilledCommands: false,
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      name: 'main',
      sentinelUsername: 'watcher',
      sentinelPassword: 'sentinel-pw',
      username: 'app',
      password: 'pw',
      tls,
      sentinelTLS: tls,
      enableTLSForSentinelMode: true,
      failoverDetector: false,
    });
    const options = target.options as { reconnectOnError: (err: Error) => boolean; retryStrategy: (n: number) => number };
    // Reconnect (asking the Sentinels anew) when the master turned replica; not on other errors.
    expect(options.reconnectOnError(new Error("READONLY You can't write against a read only replica."))).toBe(true);
    expect(options.reconnectOnError(new Error('ERR wrong number of arguments'))).toBe(false);
    // Reconnects forever, at least twice a second.
    expect([1, 3, 50, 10_000].map(options.retryStrategy)).toEqual([100, 300, 500, 500]);
  });

  test('cluster: the seed nodes, no offline queue, masters only, credentials and TLS for every node', () => {
    const target = redisTarget(
      load({ REDIS_CLUSTER_NODES: 'c1:6379,c2:6379', REDIS_USERNAME: 'app', REDIS_PASSWORD: 'pw', REDIS_TLS: 'true' }),
      { commandTimeout: 5000 },
    );
    if (target.mode !== 'cluster') throw new Error('expected cluster mode');
    expect(target.nodes).toEqual([
      { host: 'c1', port: 6379 },
      { host: 'c2', port: 6379 },
    ]);
    expect(target.options).toMatchObject({
      enableOfflineQueue: false,
      scaleReads: 'master',
      retryDelayOnFailover: 0,
      retryDelayOnClusterDown: 0,
      redisOptions: { ...failFastClusterOptions.redisOptions, username: 'app', password: 'pw', tls: {}, commandTimeout: 5000 },
    });
    // TRYAGAIN retries all fit inside one command deadline, so none is sent after it.
    const { maxRedirections, retryDelayOnTryAgain, redisOptions } = failFastClusterOptions;
    expect(maxRedirections! * retryDelayOnTryAgain!).toBeLessThan(redisOptions.commandTimeout!);
    // With TLS the names given are connected to as they are (certificates name them).
    const lookup = jest.fn();
    target.options.dnsLookup!('redis-1.internal', lookup);
    expect(lookup).toHaveBeenCalledWith(null, 'redis-1.internal');
  });

  test('the start-up description names the mode and nodes, never a password', () => {
    expect(describeRedisTarget(load({ REDIS_URL: 'rediss://app:s3cret@h:6380/1' }))).toBe('rediss://app:***@h:6380/1');
    expect(describeRedisTarget(load({ REDIS_PASSWORD: 's3cret', REDIS_TLS: 'true' }))).toBe('redis://127.0.0.1:6379 over TLS');
    expect(
      describeRedisTarget(
        load({ REDIS_SENTINELS: 's1:26379,[::1]:26379', REDIS_SENTINEL_NAME: 'main', REDIS_SENTINEL_PASSWORD: 'x', REDIS_USERNAME: 'app', REDIS_PASSWORD: 'p' }),
      ),
    ).toBe('Sentinel master main via s1:26379,[::1]:26379 as app');
    expect(describeRedisTarget(load({ REDIS_CLUSTER_NODES: 'c1:6379', REDIS_TLS: 'true' }))).toBe('Redis Cluster via c1:6379 over TLS');
  });
});
