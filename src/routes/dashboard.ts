import type { AppDeps } from '../deps';
import { sendJson } from '../http/json-body';
import { requireBearer } from '../http/require-bearer';
import { need, type AppMiddleware } from '../http/state';

/** GET /dashboard/ — the tutorial's user-status route. */
export function dashboardRoute(deps: AppDeps): AppMiddleware[] {
  return [
    requireBearer(deps),
    function respondProfile(ctx) {
      const { username, firstName, lastName } = need(ctx.state, 'auth').profile;
      sendJson(ctx, {
        msg: 'successfully requested user info',
        data: { username, first_name: firstName, last_name: lastName },
      });
    },
  ];
}
