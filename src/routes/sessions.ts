import type { AppDeps } from '../deps';
import { HttpError } from '../http/errors';
import { sendJson } from '../http/json-body';
import { requireBearer } from '../http/require-bearer';
import { need, type AppMiddleware } from '../http/state';

const iso = (ms: number) => new Date(ms).toISOString();
// What gatehouse issues: 128 random bits in base64url. Anything else cannot name a session.
const JTI = /^[A-Za-z0-9_-]{16,64}$/;

/** GET /sessions/ — the caller's live sessions (one per token), oldest first, marking the current one. */
export function listSessionsRoute(deps: AppDeps): AppMiddleware[] {
  const { store, clock } = deps;
  return [
    requireBearer(deps),
    async function respondSessions(ctx) {
      const { sub, jti } = need(ctx.state, 'auth').claims;
      const sessions = await store.listSessions(sub, clock());
      sendJson(ctx, {
        msg: 'successfully listed sessions',
        data: {
          sessions: sessions.map((s) => ({
            jti: s.jti,
            issued_at: iso(s.issuedAt),
            expires_at: iso(s.expiresAt),
            user_agent: s.userAgent,
            address: s.address,
            current: s.jti === jti,
          })),
        },
      });
    },
  ];
}

/** DELETE /sessions/ — ends every session of the caller except the current one. */
export function revokeOtherSessionsRoute(deps: AppDeps): AppMiddleware[] {
  const { store, clock, log } = deps;
  return [
    requireBearer(deps),
    async function revokeOthers(ctx) {
      const { sub, jti } = need(ctx.state, 'auth').claims;
      const revoked = await store.revokeSessions(sub, jti, clock());
      log.info({ event: 'sessions_revoked', username: sub, revoked }, 'other sessions ended');
      sendJson(ctx, { msg: 'successfully revoked other sessions', data: { revoked } });
    },
  ];
}

/** DELETE /sessions/:jti — ends one session of the caller ("sign out that device"). */
export function revokeSessionRoute(deps: AppDeps): AppMiddleware[] {
  const { store, clock } = deps;
  return [
    requireBearer(deps),
    async function revokeOne(ctx) {
      const { sub } = need(ctx.state, 'auth').claims;
      const target = String(ctx.params.jti);
      // Only the caller's own sessions can be named: the store looks under the caller's username.
      if (!JTI.test(target) || !(await store.revokeSession(sub, target, clock()))) {
        throw new HttpError(404, 'not_found', 'you have no live session with this id');
      }
      sendJson(ctx, { msg: 'successfully revoked session', data: null });
    },
  ];
}
