import type { AppDeps } from '../deps';
import { authenticateClient } from '../http/client-auth';
import { sendJson } from '../http/json-body';
import { parseBody } from '../http/parse-body';
import { need, type AppMiddleware } from '../http/state';
import { readTokenParam } from '../http/token-param';
import { TokenError } from '../tokens/token-service';

/**
 * POST /oauth2/revoke — token revocation for other services (RFC 7009). Ends the token's
 * session. 200 whether or not the token was valid (§2.2: the aim, an unusable token, holds
 * either way), so the answer tells the caller nothing about the token.
 */
export function revokeRoute(deps: AppDeps): AppMiddleware[] {
  const { config, tokens, store, clock, log } = deps;
  return [
    authenticateClient(deps),
    parseBody({ limit: config.BODY_LIMIT }),
    readTokenParam(),
    async function revokeToken(ctx, next) {
      const now = clock();
      try {
        const { sub, jti } = await tokens.verify(need(ctx.state, 'tokenParam'), new Date(now));
        if (await store.revokeSession(sub, jti, now)) {
          log.info({ event: 'token_revoked', client: ctx.state.client, username: sub }, 'token revoked by a client');
        }
      } catch (err) {
        if (!(err instanceof TokenError)) throw err;
      }
      return next();
    },
    function respondRevoked(ctx) {
      sendJson(ctx, { msg: 'successfully invalidated token', data: null });
    },
  ];
}
