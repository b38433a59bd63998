import type { AppDeps } from '../deps';
import { Conflict } from '../http/errors';
import { sendJson } from '../http/json-body';
import { parseBody } from '../http/parse-body';
import { need, type AppMiddleware } from '../http/state';
import { readRegistration } from '../users/registration';

const EXISTS = 'this user profile already exists';

/** POST /register/ — the tutorial's register route, with its case bug and races fixed. */
export function registerRoute({ config, store, passwords, clock }: AppDeps): AppMiddleware[] {
  return [
    parseBody({ limit: config.BODY_LIMIT }),

    function validateRegistration(ctx, next) {
      ctx.state.registration = readRegistration(ctx.request.body as Record<string, unknown>);
      return next();
    },

    async function createUser(ctx, next) {
      const { username, password, firstName, lastName } = need(ctx.state, 'registration');
      // Saves an argon2 hash for a name that is taken; createUser below is the real, atomic check.
      if ((await store.findUser(username)) !== null) throw new Conflict('user_exists', EXISTS);
      const passwordHash = await passwords.hash(password);
      const created = await store.createUser({ username, passwordHash, firstName, lastName, createdAt: clock() });
      if (!created) throw new Conflict('user_exists', EXISTS);
      return next();
    },

    function respondCreated(ctx) {
      ctx.status = 201;
      sendJson(ctx, { msg: 'successfully created user profile', data: null });
    },
  ];
}
