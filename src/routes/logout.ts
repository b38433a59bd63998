import type { AppDeps } from '../deps';
import { BadRequest } from '../http/errors';
import { sendJson } from '../http/json-body';
import { requireBearer } from '../http/require-bearer';
import { need, type AppMiddleware } from '../http/state';

/**
 * GET or POST /logout/ — ends the session of the presented token, at once and for good. With
 * `?scope=global` it ends every session of the user ("log out everywhere") in one atomic store
 * call; `scope=local` (the default) only the presented one.
 */
export function logoutRoute(deps: AppDeps): AppMiddleware[] {
  const { store, clock, log } = deps;
  return [
    function readScope(ctx, next) {
      const { scope = 'local' } = ctx.query;
      if (scope !== 'local' && scope !== 'global') {
        throw new BadRequest('invalid_request', 'scope must be "local" or "global"');
      }
      ctx.state.logoutScope = scope;
      return next();
    },
    requireBearer(deps),
    async function revokeSessions(ctx) {
      const { sub, jti } = need(ctx.state, 'auth').claims;
      if (need(ctx.state, 'logoutScope') === 'local') {
        await store.revokeSession(sub, jti, clock());
        sendJson(ctx, { msg: 'successfully invalidated token', data: null });
        return;
      }
      const revoked = await store.revokeSessions(sub, null, clock());
      log.info({ event: 'sessions_revoked', username: sub, revoked }, 'logged out everywhere');
      sendJson(ctx, { msg: 'successfully invalidated all tokens', data: { revoked } });
    },
  ];
}
