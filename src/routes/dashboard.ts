import type { AppDeps } from '../deps';
import { requireBearer } from '../http/require-bearer';
import { need, type AppMiddleware } from '../http/state';

/** GET /dashboard/ — the tutorial's user-status route. */
export function dashboardRoute(deps: AppDeps): AppMiddleware[] {
  return [
    requireBearer(deps),
    function respondProfile(ctx) {
      const { username, firstName, lastName } = need(ctx.state, 'auth').profile;
      ctx.body = {
        msg: 'successfully requested user info',
        data: { username, first_name: firstName, last_name: lastName },
      };
    },
  ];
}
