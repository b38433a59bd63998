import type { Logger } from 'pino';
import type { Config } from './config/load';
import type { Lifecycle } from './lifecycle';
import type { Metrics } from './metrics';
import type { PasswordHasher } from './passwords/hasher';
import type { Store } from './store/store';
import type { TokenService } from './tokens/token-service';

/** What the app is built from; passed in, never module singletons, so tests can swap any part. */
export interface AppDeps {
  readonly config: Config;
  readonly store: Store;
  readonly tokens: TokenService;
  readonly passwords: PasswordHasher;
  /** Current time in milliseconds since the epoch. */
  readonly clock: () => number;
  readonly log: Logger;
  /** Set to stopping on SIGTERM, so readiness fails while requests in flight finish. */
  readonly lifecycle: Lifecycle;
  readonly metrics: Metrics;
}
