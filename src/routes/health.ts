import type { AppDeps } from '../deps';
import { ServiceUnavailable } from '../http/errors';
import { sendJson } from '../http/json-body';
import type { AppMiddleware } from '../http/state';

/** GET /healthz — liveness: the process answers. Touches nothing else. */
export function livenessRoute(): AppMiddleware[] {
  return [
    function respondAlive(ctx) {
      sendJson(ctx, { msg: 'alive', data: null });
    },
  ];
}

/**
 * GET /readyz — readiness: not shutting down, and the store answers (503 otherwise). Whatever
 * puts acknowledged writes at risk (Redis durability settings, clock skew) is listed in
 * `data.warnings`; with REDIS_DURABILITY=require an unsafe or unverifiable Redis is a 503.
 */
export function readinessRoute({
  config,
  store,
  storeSafety,
  lifecycle,
}: Pick<AppDeps, 'config' | 'store' | 'storeSafety' | 'lifecycle'>): AppMiddleware[] {
  return [
    async function checkReady(ctx) {
      if (lifecycle.stopping) throw new ServiceUnavailable('gatehouse is shutting down');
      const [, { unsafe, notes }] = await Promise.all([store.ping(), storeSafety()]);
      if (unsafe.length > 0 && config.REDIS_DURABILITY === 'require') {
        throw new ServiceUnavailable(`the store may lose acknowledged writes: ${unsafe.join('; ')}`, 5);
      }
      const warnings = [...unsafe, ...notes];
      sendJson(ctx, { msg: 'ready', data: warnings.length > 0 ? { warnings } : null });
    },
  ];
}
