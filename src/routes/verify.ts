import type { AppDeps } from '../deps';
import { requireBearer } from '../http/require-bearer';
import { need, type AppMiddleware } from '../http/state';

/** The path, with any suffix: proxies often append the original path, which is ignored. */
const VERIFY_PREFIX = '/auth/verify';
export const VERIFY_PATH = `${VERIFY_PREFIX}{/*rest}`;

/**
 * Whether `path` is this route's (as the router matches: any case, any suffix). There, OPTIONS
 * is a 405 like any other method the route does not serve, not the router's usual 200 with
 * Allow: a proxy that asks with the client's own method (Envoy's ext_authz does) would take a
 * 200 for a yes, and a forward-auth 2xx must only ever mean a valid token.
 */
export function isVerifyPath(path: string): boolean {
  const lower = path.toLowerCase();
  return lower === VERIFY_PREFIX || lower.startsWith(`${VERIFY_PREFIX}/`);
}

/**
 * GET, HEAD or POST /auth/verify — forward auth for a reverse proxy (nginx auth_request,
 * Traefik ForwardAuth, Caddy forward_auth). A valid token gets 200 with an empty body and the
 * caller's identity in response headers, which the proxy copies onto the request it forwards;
 * anything else gets the bearer check's 401 (or 503 when the store cannot answer: fail closed).
 * It is the bearer check and nothing more: one token decryption and one store round trip.
 * Identity headers the client sent are never read: the ones set here come from the token and
 * the store only.
 */
export function verifyRoute(deps: AppDeps): AppMiddleware[] {
  return [
    requireBearer(deps),
    function respondIdentity(ctx) {
      const { claims, profile } = need(ctx.state, 'auth');
      ctx.set({
        'X-Auth-Request-User': profile.username,
        'Remote-User': profile.username,
        // RFC 3339; tokens expire on whole seconds.
        'X-Auth-Request-Expires': new Date(claims.exp * 1000).toISOString().replace('.000Z', 'Z'),
        'X-Auth-Request-Session': claims.jti,
      });
      // An empty string, not null: Koa answers a null body with 204, and proxies expect 200.
      ctx.status = 200;
      ctx.body = '';
      ctx.remove('Content-Type');
    },
  ];
}
