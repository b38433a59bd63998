import type { AppMiddleware } from '../http/state';
import type { Metrics } from '../metrics';

/** GET /metrics — Prometheus text exposition of the registry. */
export function metricsRoute({ metrics }: { metrics: Metrics }): AppMiddleware[] {
  return [
    async function exposeMetrics(ctx) {
      ctx.type = metrics.registry.contentType;
      ctx.body = await metrics.registry.metrics();
    },
  ];
}
