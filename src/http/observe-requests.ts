import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { requestLineWriter } from '../log';
import type { Metrics } from '../metrics';

// A caller's request id is kept when it looks like one (UUIDs, trace ids); anything else is replaced.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// Probes and scrapes would drown the request log; each path is routed with or without a trailing slash.
const UNLOGGED = new Set(['/healthz', '/healthz/', '/readyz', '/readyz/', '/metrics', '/metrics/']);

/**
 * The id a response carries in X-Request-Id: the request's own (`sent`, its X-Request-Id header
 * as Node parsed it) when it looks like one, else a new one. Also used by the responses written
 * outside Koa (client-error.ts, metrics-listener.ts), so every response carries one.
 */
export function requestIdFor(sent?: string | string[]): string {
  return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
}

/**
 * The outermost middleware: gives every request an id (X-Request-Id, taken from the request
 * or generated, and echoed back), then after the response is decided logs one line (method,
 * route, status, duration, id) and records the request metrics.
 */
export function observeRequests({ log, metrics }: { log: Logger; metrics: Metrics }): Middleware {
  const logRequest = requestLineWriter(log);
  return async function observeRequestsMiddleware(ctx, next) {
    const started = performance.now();
    // Node's own header object and setter: Koa's get and set normalise and copy on every call.
    const id = requestIdFor(ctx.req.headers['x-request-id']);
    ctx.state.requestId = id;
    ctx.res.setHeader('X-Request-Id', id);
    try {
      await next();
    } finally {
      const elapsed = performance.now() - started;
      // The router's pattern (e.g. /dashboard), so labels stay few whatever paths are requested.
      const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      const label = typeof route === 'string' ? route : 'unmatched';
      metrics.observeRequest(ctx.method, label, ctx.status, elapsed / 1000);
      if (!UNLOGGED.has(ctx.path)) {
        logRequest({
          req_id: id,
          method: ctx.method,
          route: label,
          path: ctx.path,
          status: ctx.status,
          duration_ms: Math.round(elapsed * 1000) / 1000,
        });
      }
    }
  };
}
