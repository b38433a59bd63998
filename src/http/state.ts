import type { Middleware } from 'koa';
import type { Profile, User } from '../store/store';
import type { TokenClaims } from '../tokens/token-service';
import type { Registration } from '../users/registration';
import type { BasicCredentials } from './credentials';

/** The caller of a protected route, set by requireBearer. */
export interface Authenticated {
  readonly claims: TokenClaims;
  readonly profile: Profile;
}

/** What the named middleware of a route hand to the next one through ctx.state. */
export interface AppState {
  credentials?: BasicCredentials;
  registration?: Registration;
  user?: User;
  /** Set by login once the password was checked and found right: the throttle's reset, under way. */
  throttleReset?: Promise<void>;
  auth?: Authenticated;
  /** Id of the introspection client that authenticated (HTTP Basic). */
  client?: string;
  /** The `token` parameter of /oauth2/introspect and /oauth2/revoke. */
  tokenParam?: string;
  /** The validated new password of PUT /password/. */
  newPassword?: string;
  /** What POST /logout/ ends: the presented session, or every session of the user. */
  logoutScope?: 'local' | 'global';
}

export type AppMiddleware = Middleware<AppState>;

/** Reads what an earlier middleware of the route must have set; a missing value is a wiring bug. */
export function need<K extends keyof AppState>(state: AppState, key: K): NonNullable<AppState[K]> {
  const value = state[key];
  if (value === undefined || value === null) throw new Error(`ctx.state.${key} is not set: check the middleware order`);
  return value as NonNullable<AppState[K]>;
}
