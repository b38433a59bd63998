import type { Config } from '../config/load';

/** The settings that change what the API offers, and so its document. */
export interface DocumentOptions {
  /** AUTH_TOKEN_HEADER: the header bearer routes also read the bare token from; '' when off. */
  readonly tokenHeader: string;
  /** Whether GET /metrics is on the main port (false when METRICS_PORT moves it elsewhere). */
  readonly metrics: boolean;
}

export function documentOptions(config: Pick<Config, 'AUTH_TOKEN_HEADER' | 'METRICS_PORT'>): DocumentOptions {
  return { tokenHeader: config.AUTH_TOKEN_HEADER, metrics: config.METRICS_PORT === null };
}
