import type { AppDeps } from '../deps';
import { authenticateToken } from '../http/authenticate-token';
import { authenticateClient } from '../http/client-auth';
import { sendJson } from '../http/json-body';
import { parseBody } from '../http/parse-body';
import { need, type AppMiddleware } from '../http/state';
import { readTokenParam } from '../http/token-param';

/**
 * POST /oauth2/introspect — token introspection for other services (RFC 7662). The answer is
 * the RFC's own JSON, not the house envelope: a live token gets its claims, anything else
 * (malformed, forged, expired, revoked, a deleted user) just `{"active": false}` (§2.2).
 */
export function introspectRoute(deps: AppDeps): AppMiddleware[] {
  const { config, clock } = deps;
  return [
    authenticateClient(deps),
    parseBody({ limit: config.BODY_LIMIT }),
    readTokenParam(),
    async function introspectToken(ctx) {
      const auth = await authenticateToken(deps, need(ctx.state, 'tokenParam'), clock());
      if (auth === null) {
        sendJson(ctx, { active: false });
        return;
      }
      const { sub, jti, iat, exp } = auth.claims;
      sendJson(ctx, { active: true, sub, username: auth.profile.username, exp, iat, jti, token_type: 'Bearer' });
    },
  ];
}
