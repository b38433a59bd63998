import type { AppDeps } from '../deps';
import { authenticateToken } from './authenticate-token';
import { readBearerToken } from './credentials';
import { InvalidToken, MissingToken } from './errors';
import type { AppMiddleware } from './state';

/**
 * The bearer check of every protected route (RFC 6750): the token from Authorization or
 * AUTH_TOKEN_HEADER, decrypted and checked, then one store call that finds its session live and
 * returns the user's profile. Sets ctx.state.auth.
 */
export function requireBearer(deps: Pick<AppDeps, 'config' | 'tokens' | 'store' | 'clock'>): AppMiddleware {
  const { config, clock } = deps;
  const tokenHeader = config.AUTH_TOKEN_HEADER;
  return async function requireBearerMiddleware(ctx, next) {
    const token = readBearerToken(ctx, tokenHeader);
    if (token === null) throw new MissingToken();
    const auth = await authenticateToken(deps, token, clock());
    if (auth === null) throw new InvalidToken();
    ctx.state.auth = auth;
    return next();
  };
}
