import type { AppDeps } from '../deps';
import { TokenError } from '../tokens/token-service';
import type { Authenticated } from './state';

/**
 * Checks a bearer token the way every route does: decrypt and check it (key id, authenticity,
 * issuer, expiry), then one store call that finds its session live and returns the profile.
 * Null when the token is malformed, forged, expired, revoked or its user is gone; store
 * failures propagate (StoreUnavailableError becomes 503: nothing is let through).
 */
export async function authenticateToken(
  { tokens, store }: Pick<AppDeps, 'tokens' | 'store'>,
  token: string,
  now: number,
): Promise<Authenticated | null> {
  let claims;
  try {
    claims = await tokens.verify(token, new Date(now));
  } catch (err) {
    if (err instanceof TokenError) return null;
    throw err;
  }
  const profile = await store.authenticate(claims.sub, claims.jti, now);
  return profile === null ? null : { claims, profile };
}
