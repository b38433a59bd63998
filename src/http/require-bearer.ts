import type { AppDeps } from '../deps';
import { TokenError } from '../tokens/token-service';
import { readBearerToken } from './credentials';
import { InvalidToken, MissingToken } from './errors';
import type { AppMiddleware } from './state';

/**
 * The bearer check of every protected route (RFC 6750): decrypt and check the token, then one
 * store call that finds its session live and returns the user's profile. Sets ctx.state.auth.
 */
export function requireBearer({ tokens, store, clock }: Pick<AppDeps, 'tokens' | 'store' | 'clock'>): AppMiddleware {
  return async function requireBearerMiddleware(ctx, next) {
    const token = readBearerToken(ctx);
    if (token === null) throw new MissingToken();
    const now = clock();
    let claims;
    try {
      claims = await tokens.verify(token, new Date(now));
    } catch (err) {
      if (err instanceof TokenError) throw new InvalidToken();
      throw err;
    }
    const profile = await store.authenticate(claims.sub, claims.jti, now);
    if (profile === null) throw new InvalidToken();
    ctx.state.auth = { claims, profile };
    return next();
  };
}
