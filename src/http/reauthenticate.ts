import type { AppDeps } from '../deps';
import type { User } from '../store/store';
import { field } from '../users/registration';
import { BadRequest, InvalidToken, WrongPassword } from './errors';
import { countAttempt, countSuccess } from './password-attempts';
import { need, type AppMiddleware } from './state';

/**
 * Re-authentication for account changes: a bearer token alone is not enough to change the
 * password or delete the account, the caller must also send the current password in body field
 * `name`. Runs after requireBearer and parseBody; sets ctx.state.user to the record checked, whose
 * generation the change must still match. A wrong password is 403 wrong_password (the token is
 * fine); a missing one 400 missing_fields.
 *
 * Each check goes through the login throttle, on the same counters as /login/: otherwise a
 * stolen token would be an unlimited oracle for its user's password, whose right guess takes the
 * account over (a new password ends every other session). A wrong password counts as a failed
 * login; over the limit the answer is 429 before any argon2 work, as for a login; the right
 * password resets the account's count, and an attempt never judged (a failed store, a busy
 * hasher) is given back.
 */
export function reauthenticate(
  { store, passwords, throttle, log }: Pick<AppDeps, 'store' | 'passwords' | 'throttle' | 'log'>,
  name: string,
): AppMiddleware {
  return async function reauthenticateMiddleware(ctx, next) {
    const password = field(ctx.request.body as Record<string, unknown>, name);
    if (password === null || password === '') throw new BadRequest('missing_fields', `${name} is a required field`);
    const { username } = need(ctx.state, 'auth').profile;
    await countAttempt(throttle, username, ctx.ip, () => {
      log.warn({ event: 'reauthentication_throttled', username, address: ctx.ip }, 'password check throttled');
    });
    let user: User;
    let ok: boolean;
    try {
      const found = await store.findUser(username);
      // Deleted since the bearer check: the token is as good as revoked, and nothing was guessed.
      if (found === null) throw new InvalidToken();
      user = found;
      ok = await passwords.verify(user.passwordHash, password);
    } catch (err) {
      // Never judged (deleted user, failed store, busy hasher): the attempt is given back.
      await throttle.abandoned(username, ctx.ip).catch(() => {});
      throw err;
    }
    if (!ok) {
      log.info({ event: 'reauthentication_failed', username }, 'wrong current password');
      throw new WrongPassword();
    }
    await countSuccess(throttle, log, username, ctx.ip);
    ctx.state.user = user;
    return next();
  };
}
