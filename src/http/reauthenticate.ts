import type { AppDeps } from '../deps';
import { field } from '../users/registration';
import { BadRequest, InvalidToken, WrongPassword } from './errors';
import { need, type AppMiddleware } from './state';

/**
 * Re-authentication for account changes: a bearer token alone is not enough to change the
 * password or delete the account, the caller must also send the current password in body field
 * `name`. Runs after requireBearer and parseBody; sets ctx.state.user to the record checked, whose
 * generation the change must still match. A wrong password is 403 wrong_password (the token is
 * fine); a missing one 400 missing_fields.
 */
export function reauthenticate({ store, passwords, log }: Pick<AppDeps, 'store' | 'passwords' | 'log'>, name: string): AppMiddleware {
  return async function reauthenticateMiddleware(ctx, next) {
    const password = field(ctx.request.body as Record<string, unknown>, name);
    if (password === null || password === '') throw new BadRequest('missing_fields', `${name} is a required field`);
    const { username } = need(ctx.state, 'auth').profile;
    const user = await store.findUser(username);
    // Deleted since the bearer check: the token is as good as revoked.
    if (user === null) throw new InvalidToken();
    if (!(await passwords.verify(user.passwordHash, password))) {
      log.info({ event: 'reauthentication_failed', username }, 'wrong current password');
      throw new WrongPassword();
    }
    ctx.state.user = user;
    return next();
  };
}
