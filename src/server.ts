import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app';
import type { Config } from './config/load';
import type { AppDeps } from './deps';
import { Lifecycle } from './lifecycle';
import { createPasswordHasher } from './passwords/hasher';
import { MemoryStore } from './store/memory-store';
import type { Store } from './store/store';
import { Keyring } from './tokens/keyring';
import { generateLocalKey } from './tokens/paserk';
import { createTokenService } from './tokens/token-service';

export interface RunningServer {
  readonly server: Server;
  /** Base URL, e.g. http://127.0.0.1:8080 (the real port when PORT=0). */
  readonly url: string;
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
  const deps: AppDeps = {
    config,
    store,
    clock,
    log,
    lifecycle: new Lifecycle(),
    tokens: createTokenService({ keyring: new Keyring(keys), ttl: config.TOKEN_TTL, issuer: config.TOKEN_ISSUER }),
    passwords: createPasswordHasher({
      memoryCost: config.ARGON2_MEMORY_KIB,
      timeCost: config.ARGON2_ITERATIONS,
      parallelism: config.ARGON2_PARALLELISM,
    }),
  };
  const app = createApp(deps);
  // Slow clients cannot hold a connection open forever (slowloris).
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, app.callback());
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  log.info({ event: 'started', url, store: config.STORE }, `gatehouse listening on ${url} (store: ${config.STORE})`);

  return {
    server,
    url,
    deps,
    async close(graceMs = 10_000) {
      deps.lifecycle.beginShutdown();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(force);
      await store.close();
      log.info({ event: 'stopped' }, 'gatehouse stopped');
    },
  };
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
  // Loaded only for the Redis store: evaluating ioredis is a good part of start-up time.
  const { createRedisClient, whenReady } = await import('./store/redis-connection');
  const { RedisStore } = await import('./store/redis-store');
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
