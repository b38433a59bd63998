import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * The process logger: one JSON object per line on stdout, or coloured human-readable lines
 * when `format` is pretty (auto: when stdout is a terminal). Credentials never reach it: the
 * Authorization and X-Auth-Token headers and any password or token field are redacted wherever
 * they appear.
 */
export function createLogger(level: string, destination?: pino.DestinationStream, format: LogFormat = 'json'): Logger {
  const humane = format === 'pretty' || (format === 'auto' && destination === undefined && process.stdout.isTTY === true);
  return pino(
    {
      level,
      base: { service: 'gatehouse' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'password',
          '*.password',
          '*.current_password',
          '*.new_password',
          'token',
          '*.token',
          'auth_token',
          '*.auth_token',
          '*.headers.authorization',
          '*.headers["x-auth-token"]',
        ],
        censor: '[redacted]',
      },
    },
    // pino-pretty as a stream in this thread, not a transport: transports load worker files by
    // path, which a bundle or a single executable does not have.
    humane ? pretty({ destination: destination ?? 1, sync: true, colorize: destination === undefined && process.stdout.isTTY === true }) : destination,
  );
}
