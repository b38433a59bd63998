import type { AppDeps } from '../deps';
import { readBasicCredentials } from '../http/credentials';
import { InvalidCredentials } from '../http/errors';
import { sendJson } from '../http/json-body';
import { countAttempt, countSuccess } from '../http/password-attempts';
import { need, type AppMiddleware } from '../http/state';
import { PasswordHasherBusy } from '../passwords/hasher';
import { normalizeUsername } from '../users/registration';

const WRONG = 'invalid username or password';
const USER_AGENT_MAX = 256;

/** POST /login/ — HTTP Basic in, a bearer token (and a new session) out. */
export function loginRoute({ config, store, tokens, passwords, throttle, clock, log }: AppDeps): AppMiddleware[] {
  return [
    function readCredentials(ctx, next) {
      const credentials = readBasicCredentials(ctx);
      if (credentials === null) throw new InvalidCredentials('missing_credentials', 'HTTP Basic credentials are required');
      ctx.state.credentials = credentials;
      return next();
    },

    // Before any argon2 work, and the same for existing and unknown names. The user's record is
    // fetched alongside the count (one round trip instead of two); a throttled attempt discards it.
    async function throttleFailures(ctx, next) {
      const { username } = need(ctx.state, 'credentials');
      const normalized = normalizeUsername(username);
      const lookup = normalized === null ? Promise.resolve(null) : store.findUser(normalized);
      lookup.catch(() => {}); // awaited below, unless the throttle refuses first
      await countAttempt(throttle, username, ctx.ip, () => {
        log.warn({ event: 'login_throttled', username: normalizeUsername(username) ?? undefined, address: ctx.ip }, 'login throttled');
      });
      try {
        ctx.state.user = (await lookup) ?? undefined;
        await next();
      } catch (err) {
        // Only a wrong password counts. A right one was settled as a success, whatever failed
        // after it; an attempt that was never judged (a failed lookup, a 503) is given back.
        if (ctx.state.throttleReset !== undefined) await ctx.state.throttleReset;
        else if (!(err instanceof InvalidCredentials)) await throttle.abandoned(username, ctx.ip).catch(() => {});
        throw err;
      }
    },

    async function verifyPassword(ctx, next) {
      const { username: sent, password } = need(ctx.state, 'credentials');
      const user = ctx.state.user ?? null;
      // An unknown user costs the same argon2 work as a wrong password, and gets the same answer.
      const ok = user === null ? await passwords.verifyNothing(password) : await passwords.verify(user.passwordHash, password);
      if (user === null || !ok) {
        log.info({ event: 'login_failed', username: normalizeUsername(sent) ?? undefined }, 'login failed');
        throw new InvalidCredentials('invalid_credentials', WRONG);
      }
      // The right password resets the account's count, from now on alongside the rest of the
      // login. Best effort: a login is not refused because a counter could not be reset.
      ctx.state.throttleReset = countSuccess(throttle, log, sent, ctx.ip);
      if (passwords.needsRehash(user.passwordHash)) {
        // Parameters were raised since this hash was made; upgrade it now that we know the password.
        // When argon2 is at its bound the upgrade waits for the next login rather than fail this one.
        const upgraded = await passwords.hash(password).catch((err: unknown) => {
          if (err instanceof PasswordHasherBusy) return null;
          throw err;
        });
        if (upgraded !== null) await store.rehashPassword(user.username, user.passwordHash, upgraded);
      }
      return next();
    },

    async function issueToken(ctx) {
      const user = need(ctx.state, 'user');
      const now = clock();
      const { token, claims } = await tokens.issue(user.username, new Date(now));
      const [, created] = await Promise.all([
        need(ctx.state, 'throttleReset'),
        store.createSession(
          {
            jti: claims.jti,
            username: user.username,
            // To the millisecond (the token's iat is to the second), so that sessions list in the
            // order of their logins.
            issuedAt: now,
            expiresAt: claims.exp * 1000,
            userAgent: ctx.get('User-Agent').slice(0, USER_AGENT_MAX) || null,
            address: ctx.ip || null,
          },
          user.generation,
          config.MAX_SESSIONS_PER_USER,
        ),
      ]);
      // The password changed or the account was deleted while this login was being checked.
      if (!created) throw new InvalidCredentials('invalid_credentials', WRONG);
      log.info({ event: 'login_succeeded', username: user.username }, 'login succeeded');
      sendJson(ctx, {
        msg: 'successfully authenticated user',
        data: {
          auth_token: token,
          token_type: 'Bearer',
          expires_in: claims.exp - claims.iat,
          expires_at: new Date(claims.exp * 1000).toISOString(),
        },
      });
    },
  ];
}
