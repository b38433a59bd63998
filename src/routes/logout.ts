import type { AppDeps } from '../deps';
import { requireBearer } from '../http/require-bearer';
import { need, type AppMiddleware } from '../http/state';

/** GET or POST /logout/ — ends the session of the presented token, at once and for good. */
export function logoutRoute(deps: AppDeps): AppMiddleware[] {
  const { store, clock } = deps;
  return [
    requireBearer(deps),
    async function revokeCurrentSession(ctx, next) {
      const { sub, jti } = need(ctx.state, 'auth').claims;
      await store.revokeSession(sub, jti, clock());
      return next();
    },
    function respondLoggedOut(ctx) {
      ctx.body = { msg: 'successfully invalidated token', data: null };
    },
  ];
}
