import { LightHistogram, type HistogramSeries } from './light-histogram';
import { collectDefaultMetrics, Counter, Histogram, Registry } from './prom';

/**
 * gatehouse's Prometheus metrics, on a registry of its own (so tests can build many apps).
 * Process metrics and event-loop lag come from prom-client's default collectors.
 */
export interface Metrics {
  readonly registry: Registry;
  /** One finished HTTP request; `route` is the router's pattern, never the raw path. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** One argon2 operation and how long it took. */
  observePasswordWork(operation: 'hash' | 'verify', seconds: number): void;
  /** The store did not answer (in time). */
  countStoreError(): void;
  /** `count` tokens decrypted by the token worker, or by the main thread in its stead. */
  countTokenReads(thread: 'worker' | 'main', count: number): void;
}

// Login outcomes by the status /login/ answered with.
const LOGIN_OUTCOMES: Readonly<Record<number, string>> = {
  200: 'success',
  401: 'failure',
  429: 'throttled',
  503: 'unavailable',
};

export function createMetrics({ collectDefaults = true }: { collectDefaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (collectDefaults) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });

  // Observed on every request: a LightHistogram, not prom-client's (light-histogram.ts says why).
  const duration = new LightHistogram<'method' | 'route' | 'status'>({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route and status',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // The request count is the histogram's own count, copied when scraped: one less metric
  // update on every request. Read first, then reset and copy with no await in between, so that
  // scrapes running at the same time cannot both reset and then both add.
  new Counter({
    name: 'gatehouse_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
    async collect() {
      const { values } = await duration.get();
      this.reset();
      for (const { metricName, labels, value } of values) {
        if (metricName === 'gatehouse_http_request_duration_seconds_count') this.inc(labels, value);
      }
    },
  });
  const logins = new Counter({
    name: 'gatehouse_logins_total',
    help: 'Login attempts by outcome: success, failure, throttled, unavailable, rejected',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const passwordWork = new Histogram({
    name: 'gatehouse_argon2_duration_seconds',
    help: 'Time of one argon2id hash or verify',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1],
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'gatehouse_store_errors_total',
    help: 'Store operations that failed because the store did not answer (in time)',
    registers: [registry],
  });
  const tokenReads = new Counter({
    name: 'gatehouse_token_decryptions_total',
    help: 'Tokens not in the cache, decrypted with TOKEN_WORKER on: by the worker thread, or by the main thread when the worker was busy or had failed',
    labelNames: ['thread'] as const,
    registers: [registry],
  });

  // The series of each (method, route, status), made once. Routes are the router's patterns,
  // and methods (those Node's parser accepts) and statuses few, so this stays small.
  const series = new Map<string, HistogramSeries>();
  const seriesOf = (method: string, route: string, status: number) => {
    const key = `${method} ${status} ${route}`;
    let found = series.get(key);
    if (found === undefined) {
      found = duration.series({ method, route, status: String(status) });
      series.set(key, found);
    }
    return found;
  };

  return {
    registry,
    observeRequest(method, route, status, seconds) {
      seriesOf(method, route, status).observe(seconds);
      if (route === '/login') logins.inc({ outcome: LOGIN_OUTCOMES[status] ?? 'rejected' });
    },
    observePasswordWork(operation, seconds) {
      passwordWork.observe({ operation }, seconds);
    },
    countStoreError() {
      storeErrors.inc();
    },
    countTokenReads(thread, count) {
      tokenReads.inc({ thread }, count);
    },
  };
}
