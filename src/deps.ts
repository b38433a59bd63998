import type { Logger } from 'pino';
import type { Config } from './config/load';
import type { Lifecycle } from './lifecycle';
import type { Metrics } from './metrics';
import type { PasswordHasher } from './passwords/hasher';
import type { StoreSafety } from './store/redis-safety';
import type { Store } from './store/store';
import type { LoginThrottle } from './throttle/login-throttle';
import type { TokenService } from './tokens/token-service';

/** What the app is built from; passed in, never module singletons, so tests can swap any part. */
export interface AppDeps {
  readonly config: Config;
  readonly store: Store;
  readonly tokens: TokenService;
  /** Bounded: rejects with PasswordHasherBusy beyond ARGON2_MAX_CONCURRENT + ARGON2_MAX_QUEUED. */
  readonly passwords: PasswordHasher;
  /** Counts failed logins per account and per client address. */
  readonly throttle: LoginThrottle;
  /** Whether the store keeps acknowledged writes (readiness); rejects when it does not answer. */
  readonly storeSafety: () => Promise<StoreSafety>;
  /** Current time in milliseconds since the epoch. */
  readonly clock: () => number;
  readonly log: Logger;
  /** Set to stopping on SIGTERM, so readiness fails while requests in flight finish. */
  readonly lifecycle: Lifecycle;
  readonly metrics: Metrics;
}
