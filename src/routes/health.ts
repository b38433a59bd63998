import type { AppDeps } from '../deps';
import { ServiceUnavailable } from '../http/errors';
import type { AppMiddleware } from '../http/state';

/** GET /healthz — liveness: the process answers. Touches nothing else. */
export function livenessRoute(): AppMiddleware[] {
  return [
    function respondAlive(ctx) {
      ctx.body = { msg: 'alive', data: null };
    },
  ];
}

/** GET /readyz — readiness: not shutting down, and the store answers (503 otherwise). */
export function readinessRoute({ store, lifecycle }: Pick<AppDeps, 'store' | 'lifecycle'>): AppMiddleware[] {
  return [
    async function checkReady(ctx) {
      if (lifecycle.stopping) throw new ServiceUnavailable('gatehouse is shutting down');
      await store.ping();
      ctx.body = { msg: 'ready', data: null };
    },
  ];
}
