import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { createApp } from './app';
import type { Config } from './config/load';
import { buildDeps } from './build-deps';
import type { AppDeps } from './deps';
import { reapplyHeapFlags } from './heap';
import { createMetrics, type Metrics } from './metrics';
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
}

/** Opens the configured store, builds the app and listens on HOST:PORT. */
export async function startServer({ config, log, clock = Date.now }: StartOptions): Promise<RunningServer> {
  const keys = config.TOKEN_KEYS.length > 0 ? config.TOKEN_KEYS : [ephemeralKey(log)];
  const metrics = createMetrics();
  const tokenWorker = config.TOKEN_WORKER ? await startTokenWorker(keys, config.TOKEN_ISSUER, log, metrics) : null;
  if (tokenWorker === null) log.debug({ event: 'token_worker', enabled: false }, 'tokens are read on the main thread');
  const { store, throttle, safety } = await openBackend(config, log, clock);
  const deps = buildDeps({ config, log, clock, store, throttle, storeSafety: safety, keys, metrics, tokenReader: tokenWorker?.read });
  const app = createApp(deps);
  const server = createHttpServer(config, app.callback(), log);

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
 * It is started first and waited for: V8 raises its young-generation growth factor to at least 2
 * as it sets up a new isolate, which undoes the hold of src/heap.ts once the young generation has
 * reached its cap (factor 1). Here it has not yet, and the flags are set again as soon as the
 * worker runs. Measured when the rest of start-up went on alongside: the young generation
 * reached its cap first, and then grew to twice it (6 → 12 MB per semi-space). A worker started
 * again after a failure, under load, can still let it grow by that one step.
 */
async function startTokenWorker(keys: readonly string[], issuer: string, log: Logger, metrics: Metrics): Promise<TokenWorker> {
  const keyring = new Keyring(keys);
  const worker = createTokenWorker({
    keys: keyring.keys,
    issuer,
    source: tokenWorkerSource(),
    fallback: createTokenReader(keyring.keys, issuer),
    onOnline: () => reapplyHeapFlags(),
    onRead: (thread, count) => metrics.countTokenReads(thread, count),
    onFailure: (err) =>
      log.error({ event: 'token_worker_failed', err }, 'the token worker failed; tokens are read on the main thread until it is restarted'),
  });
  await worker.start();
  log.debug({ event: 'token_worker', enabled: true }, 'tokens not in the cache are read on a worker thread');
  return worker;
}

function ephemeralKey(log: Logger): string {
  log.warn(
    { event: 'ephemeral_key' },
    'TOKEN_KEYS is not set: using a random key that lives only as long as this process. ' +
      'Every token stops working on restart. Set TOKEN_KEYS (create a key with `gatehouse keygen`).',
  );
  return generateLocalKey();
}
