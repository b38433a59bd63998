import type { AppDeps } from '../deps';
import { sendJson } from '../http/json-body';
import { parseBody } from '../http/parse-body';
import { reauthenticate } from '../http/reauthenticate';
import { requireBearer } from '../http/require-bearer';
import { need, type AppMiddleware } from '../http/state';

/**
 * DELETE /account/ — bearer token + `password`. Deletes the user and, in the same atomic store
 * call, every session: all of its tokens stop working at once, and the name is free again.
 */
export function accountRoute(deps: AppDeps): AppMiddleware[] {
  const { config, store, log } = deps;
  return [
    requireBearer(deps),
    parseBody({ limit: config.BODY_LIMIT }),
    reauthenticate(deps, 'password'),
    async function deleteAccount(ctx, next) {
      const { username } = need(ctx.state, 'user');
      await store.deleteUser(username);
      log.info({ event: 'account_deleted', username }, 'account deleted');
      return next();
    },
    function respondDeleted(ctx) {
      sendJson(ctx, { msg: 'successfully deleted user profile', data: null });
    },
  ];
}
