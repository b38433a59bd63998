import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { createApp } from './app';
import type { Config } from './config/load';
import { buildDeps } from './build-deps';
import type { AppDeps } from './deps';
import { reapplyHeapFlags } from './heap';
import { createMetrics, type Metrics } from './metrics';
import { metricsListener } from './http/metrics-listener';
import { createHttpServer } from './http/node-server';
import { openBackend } from './store/open-store';
import { Keyring } from './tokens/keyring';
import { generateLocalKey } from './tokens/paserk';
import { createTokenReader } from './tokens/read-token';
import { createTokenWorker, type TokenWorker } from './tokens/token-worker';
import { tokenWorkerSource } from './tokens/token-worker-source';

export interface RunningServer {
  readonly server: Server;
  /** Base URL, e.g. http://127.0.0.1:8080 (the real port when PORT=0). */
  readonly url: string;
  /** Base URL of the separate metrics listener, when METRICS_PORT is set. */
  readonly metricsUrl: string | null;
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
  /** Called just before listening, once the token worker has been started. */
  beforeListening?: () => void;
}

/** Opens the configured store, builds the app and listens on HOST:PORT. */
export async function startServer({ config, log, clock = Date.now, beforeListening }: StartOptions): Promise<RunningServer> {
  const keys = config.TOKEN_KEYS.length > 0 ? config.TOKEN_KEYS : [ephemeralKey(log)];
  const metrics = createMetrics();
  // Started first (see createServerTokenWorker), not waited for: it boots while the store opens
  // and the app is built, and tokens sent before it runs wait for it.
  const tokenWorker = config.TOKEN_WORKER ? createServerTokenWorker(keys, config.TOKEN_ISSUER, log, metrics) : null;
  void tokenWorker?.start();
  const { store, throttle, safety } = await openBackend(config, log, clock);
  const deps = buildDeps({ config, log, clock, store, throttle, storeSafety: safety, keys, metrics, tokenReader: tokenWorker?.read });
  const app = createApp(deps);
  const server = createHttpServer(config, app.callback(), log);
  log.debug(
    { event: 'token_worker', enabled: tokenWorker !== null },
    tokenWorker !== null ? 'tokens not in the cache are read on a worker thread' : 'tokens are read on the main thread',
  );
  beforeListening?.();

  const url = await listen(server, config.PORT, config.HOST);
  let metricsServer: Server | null = null;
  let metricsUrl: string | null = null;
  if (config.METRICS_PORT !== null) {
    // A listener of its own that answers only /metrics, for a port kept off the public network:
    // the same hardened server (timeouts, malformed requests in the envelope), a plain handler.
    metricsServer = createHttpServer(config, metricsListener({ metrics, log }), log);
    metricsUrl = await listen(metricsServer, config.METRICS_PORT, config.HOST);
    log.info({ event: 'metrics_listening', url: metricsUrl }, `metrics on ${metricsUrl}/metrics`);
  }
  log.info({ event: 'started', url, store: config.STORE }, `gatehouse listening on ${url} (store: ${config.STORE})`);
  deps.passwords.warmUp();
  // Whoever waits for this line (a person, a supervisor, a test) should not wait for a batch.
  log.flush();

  return {
    server,
    url,
    metricsUrl,
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
      if (metricsServer !== null) {
        // Scrapes are idempotent: no grace period, and keep-alive connections must not hold us.
        const metricsClosed = new Promise((resolve) => metricsServer.close(resolve));
        metricsServer.closeAllConnections();
        await metricsClosed;
      }
      await store.close();
      await tokenWorker?.close();
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

/**
 * TOKEN_WORKER: tokens not in the cache are decrypted on a worker thread (src/tokens/token-worker.ts).
 *
 * V8 raises its young-generation growth factor to at least 2 as it sets up a new isolate (the
 * first thing a new worker thread does), which undoes the hold of src/heap.ts once the young
 * generation has reached its cap (factor 1). So the worker is started first, while the young
 * generation is still at its initial size, and serve lets it grow to SEMI_SPACE_MB only after
 * that (`beforeListening`). The flags are also set again each time a worker runs, for one
 * started again after a failure, which under load can still let the young generation grow one
 * step past its cap first. Measured with the worker started after the limit was set: the young
 * generation reached its cap, then grew to twice it (6 → 12 MB per semi-space). Waiting for
 * the worker to run before listening measured +60 to 100 ms from launch to ready.
 */
function createServerTokenWorker(keys: readonly string[], issuer: string, log: Logger, metrics: Metrics): TokenWorker {
  const keyring = new Keyring(keys);
  return createTokenWorker({
    keys: keyring.keys,
    issuer,
    source: tokenWorkerSource(),
    fallback: createTokenReader(keyring.keys, issuer),
    onOnline: () => reapplyHeapFlags(),
    onRead: (thread, count) => metrics.countTokenReads(thread, count),
    onFailure: (err) =>
      log.error({ event: 'token_worker_failed', err }, 'the token worker failed; tokens are read on the main thread until it is restarted'),
  });
}

function ephemeralKey(log: Logger): string {
  log.warn(
    { event: 'ephemeral_key' },
    'TOKEN_KEYS is not set: using a random key that lives only as long as this process. ' +
      'Every token stops working on restart. Set TOKEN_KEYS (create a key with `gatehouse keygen`).',
  );
  return generateLocalKey();
}
