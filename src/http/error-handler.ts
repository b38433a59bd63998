import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics';
import { PasswordHasherBusy } from '../passwords/hasher';
import { StoreUnavailableError } from '../store/store';
import { BadRequest, HttpError, PayloadTooLarge, ServiceUnavailable } from './errors';
import { sendJson } from './json-body';

/**
 * The only place that writes error responses. Known errors keep their status, message and
 * headers; a failing store becomes 503 with Retry-After; anything else is logged and becomes a
 * generic 500 that reveals nothing, and the process carries on. Argon2 work over its bound is a
 * 503 with Retry-After too.
 */
export function handleErrors({ log, metrics, bodyLimit }: { log: Logger; metrics: Metrics; bodyLimit: number }): Middleware {
  return async function handleErrorsMiddleware(ctx, next) {
    try {
      await next();
    } catch (thrown) {
      if (thrown instanceof StoreUnavailableError) metrics.countStoreError();
      const err = toHttpError(thrown, bodyLimit);
      if (err.status === 503) {
        // Expected while Redis or argon2 is overloaded or down: one line, no stack per request.
        log.warn({ event: 'unavailable', reason: (thrown as Error).message, method: ctx.method, path: ctx.path }, err.message);
      } else if (err.status >= 500) {
        log.error({ err: thrown, method: ctx.method, path: ctx.path }, 'request failed');
      }
      ctx.status = err.status;
      ctx.set(err.headers);
      sendJson(ctx, {
        msg: err.expose ? err.message : 'internal server error',
        data: null,
        error: err.expose ? err.code : 'internal_error',
      });
    }
  };
}

function toHttpError(thrown: unknown, bodyLimit: number): HttpError {
  if (thrown instanceof HttpError) return thrown;
  if (thrown instanceof StoreUnavailableError) {
    return new ServiceUnavailable('the user store is unavailable; try again shortly');
  }
  if (thrown instanceof PasswordHasherBusy) {
    return new ServiceUnavailable('too many password checks are in progress; try again shortly');
  }
  // http-errors thrown by Koa and its body parser carry a status.
  const status = (thrown as { status?: unknown } | null)?.status;
  if (status === 413) return new PayloadTooLarge(bodyLimit);
  if (status === 400) return new BadRequest('malformed_body', 'the request body could not be parsed');
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, 'invalid_request', (thrown as Error).message);
  }
  return new HttpError(500, 'internal_error', 'internal server error');
}
