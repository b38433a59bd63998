import type { AppDeps } from '../deps';
import { BadRequest, Conflict } from '../http/errors';
import { sendJson } from '../http/json-body';
import { parseBody } from '../http/parse-body';
import { reauthenticate } from '../http/reauthenticate';
import { requireBearer } from '../http/require-bearer';
import { need, type AppMiddleware } from '../http/state';
import { field, passwordProblem } from '../users/registration';

/**
 * PUT /password/ — bearer token + `current_password` + `new_password`. The new password follows
 * the registration rules. The change bumps the user's password generation and ends every other
 * session in one atomic store call, so a login that checked the old password gets no token
 * afterwards, and no token issued under the old password survives.
 */
export function passwordRoute(deps: AppDeps): AppMiddleware[] {
  const { config, store, passwords, log } = deps;
  return [
    requireBearer(deps),
    parseBody({ limit: config.BODY_LIMIT }),

    // Before the argon2 work of re-authentication: a bad request costs nothing.
    function validateNewPassword(ctx, next) {
      const body = ctx.request.body as Record<string, unknown>;
      const current = field(body, 'current_password');
      const replacement = field(body, 'new_password');
      if (!current || !replacement) {
        throw new BadRequest('missing_fields', 'current_password and new_password are required fields');
      }
      const problem = passwordProblem(replacement);
      if (problem !== null) throw new BadRequest('invalid_password', `new ${problem}`);
      if (replacement === current) throw new BadRequest('invalid_password', 'new password must differ from the current one');
      ctx.state.newPassword = replacement;
      return next();
    },

    reauthenticate(deps, 'current_password'),

    async function changePassword(ctx, next) {
      const user = need(ctx.state, 'user');
      const { jti } = need(ctx.state, 'auth').claims;
      const hash = await passwords.hash(need(ctx.state, 'newPassword'));
      if (!(await store.changePassword(user.username, user.generation, hash, jti))) {
        throw new Conflict('conflict', 'the password was changed by another request meanwhile; try again');
      }
      log.info({ event: 'password_changed', username: user.username }, 'password changed; other sessions ended');
      return next();
    },

    function respondChanged(ctx) {
      sendJson(ctx, { msg: 'successfully changed password', data: null });
    },
  ];
}
