import type { Logger } from 'pino';
import type { Config } from './config/load';
import type { AppDeps } from './deps';
import { Lifecycle } from './lifecycle';
import { createMetrics, type Metrics } from './metrics';
import { createPasswordHasherFromConfig } from './passwords/hasher';
import { instrumentHasher } from './passwords/instrumented-hasher';
import type { StoreSafety } from './store/redis-safety';
import type { Store } from './store/store';
import type { LoginThrottle } from './throttle/login-throttle';
import { Keyring } from './tokens/keyring';
import { createTokenService, type AsyncTokenReader } from './tokens/token-service';

export interface DepsParts {
  config: Config;
  log: Logger;
  clock: () => number;
  store: Store;
  throttle: LoginThrottle;
  storeSafety: () => Promise<StoreSafety>;
  /** The token keys to use: TOKEN_KEYS, or an ephemeral key the caller made. */
  keys: readonly string[];
  /** Defaults to a registry with the process collectors. */
  metrics?: Metrics;
  /** Where tokens not in the cache are decrypted (the token worker); on the event loop when absent. */
  tokenReader?: AsyncTokenReader;
}

/** The app's dependencies from the configuration and an opened store: one recipe for the server and the tests. */
export function buildDeps({ config, log, clock, store, throttle, storeSafety, keys, metrics = createMetrics(), tokenReader }: DepsParts): AppDeps {
  return {
    config,
    store,
    clock,
    log,
    lifecycle: new Lifecycle(),
    metrics,
    tokens: createTokenService({
      keyring: new Keyring(keys),
      ttl: config.TOKEN_TTL,
      issuer: config.TOKEN_ISSUER,
      cacheSize: config.TOKEN_CACHE_SIZE,
      reader: tokenReader,
    }),
    passwords: instrumentHasher(createPasswordHasherFromConfig(config), metrics),
    throttle,
    storeSafety,
  };
}
