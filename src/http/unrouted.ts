import type { Middleware } from 'koa';
import { MethodNotAllowed, NotFound } from './errors';

/**
 * Turns what the router left unanswered into errors in the usual envelope: 404 for an unknown
 * path, 405 with Allow for a known path and another method. Sits just outside the router.
 */
export function answerUnrouted(): Middleware {
  return async function answerUnroutedMiddleware(ctx, next) {
    await next();
    if (ctx.body !== undefined && ctx.body !== null) return;
    if (ctx.status === 404) throw new NotFound(ctx.method, ctx.path);
    // The router's allowedMethods sets 405 (or 501 for methods it has never heard of) and Allow.
    if (ctx.status === 405 || ctx.status === 501) throw new MethodNotAllowed(ctx.method, ctx.response.get('Allow'));
  };
}
