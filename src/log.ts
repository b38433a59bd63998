import pino, { type Logger } from 'pino';

/**
 * The process logger: one JSON object per line on stdout. Credentials never reach it: the
 * Authorization and X-Auth-Token headers and any password or token field are redacted wherever
 * they appear.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
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
    destination,
  );
}
