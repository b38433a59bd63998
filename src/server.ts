import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { createApp } from './app';
import type { Config } from './config/load';
import type { AppDeps } from './deps';
import { createHttpServer } from './http/node-server';
import { Lifecycle } from './lifecycle';
import { createPasswordHasherFromConfig } from './passwords/hasher';
import { openBackend } from './store/open-store';
import { Keyring } from './tokens/keyring';
import { generateLocalKey } from './tokens/paserk';
import { createTokenService } from './tokens/token-service';

export interface RunningServer {
  readonly server: Server;
  /** Base URL, e.g. http://127.0.0.1:8080 (the real port when PORT=0). */
  readonly url: string;
  readonly deps: AppDeps;
  /**
   * Shuts down: readiness turns 503 at once, requests keep being served for SHUTDOWN_DELAY
   * seconds (so load balancers stop sending any), then no new connections are accepted,
   * requests in flight get up to `graceMs` (default SHUTDOWN_GRACE) to finish, and the store closes.
   */
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
  const { store, throttle, safety } = await openBackend(config, log, clock);
  const deps: AppDeps = {
    config,
    store,
    clock,
    log,
    lifecycle: new Lifecycle(),
    tokens: createTokenService({ keyring: new Keyring(keys), ttl: config.TOKEN_TTL, issuer: config.TOKEN_ISSUER }),
    passwords: createPasswordHasherFromConfig(config),
    throttle,
    storeSafety: safety,
  };
  const app = createApp(deps);
  const server = createHttpServer(config, app.callback(), log);

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
    async close(graceMs = config.SHUTDOWN_GRACE * 1000) {
      deps.lifecycle.beginShutdown();
      if (config.SHUTDOWN_DELAY > 0) {
        log.info({ event: 'draining', seconds: config.SHUTDOWN_DELAY }, 'readiness is 503; still serving while load balancers notice');
        await sleep(config.SHUTDOWN_DELAY * 1000);
      }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections become idle as their last request finishes; close them as they do.
      server.closeIdleConnections();
      const idle = setInterval(() => server.closeIdleConnections(), 100);
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearInterval(idle);
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
