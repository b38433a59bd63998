import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app';
import type { Config } from './config/load';
import type { AppDeps } from './deps';
import { Lifecycle } from './lifecycle';
import { createMetrics } from './metrics';
import { createPasswordHasher } from './passwords/hasher';
import { instrumentHasher } from './passwords/instrumented-hasher';
import { MemoryStore } from './store/memory-store';
import { createRedisClient, whenReady } from './store/redis-connection';
import { RedisStore } from './store/redis-store';
import type { Store } from './store/store';
import { Keyring } from './tokens/keyring';
import { generateLocalKey } from './tokens/paserk';
import { createTokenService } from './tokens/token-service';

export interface RunningServer {
  readonly server: Server;
  /** Base URL, e.g. http://127.0.0.1:8080 (the real port when PORT=0). */
  readonly url: string;
  /** Base URL of the separate metrics listener, when METRICS_PORT is set. */
  readonly metricsUrl: string | null;
  readonly deps: AppDeps;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes the store. */
  close(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  config: Config;
  log: Logger;
  clock?: () => number;
}

/** Opens the configured store, builds the app and listens on HOST:PORT. */
export async function startServer({ config, log, clock = Date.now }: StartOptions): Promise<RunningServer> {
  const keys = config.TOKEN_KEYS.length > 0 ? config.TOKEN_KEYS : [ephemeralKey(log)];
  const store = await openStore(config, log, clock);
  const metrics = createMetrics();
  const deps: AppDeps = {
    config,
    store,
    clock,
    log,
    lifecycle: new Lifecycle(),
    metrics,
    tokens: createTokenService({
      keyring: new Keyring(keys),
      ttl: config.TOKEN_TTL,
      issuer: config.TOKEN_ISSUER,
      cacheSize: config.TOKEN_CACHE_SIZE,
    }),
    passwords: instrumentHasher(
      createPasswordHasher({
        memoryCost: config.ARGON2_MEMORY_KIB,
        timeCost: config.ARGON2_ITERATIONS,
        parallelism: config.ARGON2_PARALLELISM,
      }),
      metrics,
    ),
  };
  const app = createApp(deps);
  // Slow clients cannot hold a connection open forever (slowloris).
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, app.callback());
  server.keepAliveTimeout = 5_000;

  const url = await listen(server, config.PORT, config.HOST);
  let metricsServer: Server | null = null;
  let metricsUrl: string | null = null;
  if (config.METRICS_PORT !== null) {
    // A listener of its own that answers only /metrics, for a port kept off the public network.
    metricsServer = createServer((req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
        return;
      }
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    metricsUrl = await listen(metricsServer, config.METRICS_PORT, config.HOST);
    log.info({ event: 'metrics_listening', url: metricsUrl }, `metrics on ${metricsUrl}/metrics`);
  }
  log.info({ event: 'started', url, store: config.STORE }, `gatehouse listening on ${url} (store: ${config.STORE})`);
  // Whoever waits for this line (a person, a supervisor, a test) should not wait for a batch.
  log.flush();

  return {
    server,
    url,
    metricsUrl,
    deps,
    async close(graceMs = 10_000) {
      deps.lifecycle.beginShutdown();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(force);
      if (metricsServer !== null) {
        // Scrapes are idempotent: no grace period, and keep-alive connections must not hold us.
        const metricsClosed = new Promise((resolve) => metricsServer.close(resolve));
        metricsServer.closeAllConnections();
        await metricsClosed;
      }
      await store.close();
      log.info({ event: 'stopped' }, 'gatehouse stopped');
    },
  };
}

/** Listens on host:port and resolves with the base URL (the real port when port is 0). */
async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port: actual } = server.address() as AddressInfo;
  return `http://${address.includes(':') ? `[${address}]` : address}:${actual}`;
}

function ephemeralKey(log: Logger): string {
  log.warn(
    { event: 'ephemeral_key' },
    'TOKEN_KEYS is not set: using a random key that lives only as long as this process. ' +
      'Every token stops working on restart. Set TOKEN_KEYS (create a key with `gatehouse keygen`).',
  );
  return generateLocalKey();
}

async function openStore(config: Config, log: Logger, clock: () => number): Promise<Store> {
  if (config.STORE === 'memory') {
    log.warn({ event: 'memory_store' }, 'STORE=memory: users and sessions are lost when the process stops');
    return new MemoryStore({ clock });
  }
  const redis = createRedisClient(config.REDIS_URL);
  redis.on('error', (err: Error) => log.warn({ event: 'redis_error', err: err.message }, 'redis connection problem'));
  try {
    await whenReady(redis, 5_000);
  } catch (err) {
    // Serve anyway: requests get 503 until Redis answers, and ioredis keeps reconnecting.
    log.error({ event: 'redis_unavailable', err: (err as Error).message }, 'redis is not reachable yet; retrying');
  }
  return new RedisStore(redis, config.REDIS_PREFIX);
}
