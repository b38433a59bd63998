import type { ParameterizedContext } from 'koa';
import { MethodNotAllowed, NotFound } from './errors';

const nothingAfter = () => Promise.resolve();

/**
 * Turns what the router left unanswered into errors in the usual envelope: 404 for an unknown
 * path, 405 with Allow for a known path and another method (the router's `allowedMethods`,
 * given here, works out which; it also answers OPTIONS with Allow).
 *
 * It sits after the router, which passes on only the requests no route took, so a routed
 * request never goes through it. Every route must therefore end in a handler that sets a body or
 * throws (all of src/routes do): one that left the body unset would get Koa's plain 404, and one
 * that called next() would come here. (Wrapped around the router, as an `await next()` layer with
 * allowedMethods as another, it cost every request two more promise layers: measured on GET
 * /dashboard/ with 32 connections, about 3 of 38 µs of CPU per request.)
 */
export function answerUnrouted<C extends ParameterizedContext>(
  allowedMethods: (ctx: C, next: () => Promise<void>) => Promise<unknown>,
  /** Paths where OPTIONS is a 405 with Allow, not a 200 (the forward-auth route's). */
  refusesOptions: (path: string) => boolean = () => false,
): (ctx: C) => Promise<void> {
  return async function answerUnroutedMiddleware(ctx) {
    await allowedMethods(ctx, nothingAfter);
    if (ctx.method === 'OPTIONS' && ctx.status === 200 && refusesOptions(ctx.path)) {
      throw new MethodNotAllowed(ctx.method, ctx.response.get('Allow'));
    }
    if (ctx.body !== undefined && ctx.body !== null) return;
    if (ctx.status === 404) throw new NotFound(ctx.method, ctx.path);
    // allowedMethods sets 405 (or 501 for methods the router has never heard of) and Allow.
    if (ctx.status === 405 || ctx.status === 501) throw new MethodNotAllowed(ctx.method, ctx.response.get('Allow'));
  };
}
