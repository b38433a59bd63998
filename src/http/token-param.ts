import { field } from '../users/registration';
import { BadRequest } from './errors';
import type { AppMiddleware } from './state';

/**
 * Reads the `token` parameter of introspection (RFC 7662 §2.1) and revocation (RFC 7009 §2.1)
 * into ctx.state.tokenParam: 400 invalid_request when it is missing or empty. The optional
 * `token_type_hint` is ignored, as the RFCs allow: gatehouse has one kind of token.
 */
export function readTokenParam(): AppMiddleware {
  return function readTokenParamMiddleware(ctx, next) {
    const token = field(ctx.request.body as Record<string, unknown>, 'token');
    if (token === null || token === '') throw new BadRequest('invalid_request', 'token is a required field');
    ctx.state.tokenParam = token;
    return next();
  };
}
