import pino, { type Logger } from 'pino';
import type pretty from 'pino-pretty';
import { LineBatches } from './line-batches';

export type LogFormat = 'auto' | 'json' | 'pretty';

// pino's isoTime formats a Date for every line; at thousands of lines a second most lines share
// their millisecond, so the formatted text is kept until the clock moves.
let lastMs = 0;
let lastTime = '';
function isoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

/**
 * pino-pretty and what it brings (colours, formatting) are loaded only when a terminal wants
 * human-readable lines: a server logging JSON never pays for them at start-up.
 */
function prettyStream(): typeof pretty {
  return require('pino-pretty') as typeof pretty;
}

/**
 * stdout written in batches (once 16,384 characters are waiting, or whatever is waiting every
 * 100 ms) instead of one system call per line: with a request log line per request, that
 * call was a tenth of the time of a bearer check. Lines are gathered by LineBatches and written
 * by sonic-boom (which writes each batch at once: its minLength is 1, so that a flush with a
 * callback still waits for a write in progress). What is waiting is written as the process ends
 * (by itself, by a signal handler or after an uncaught error) when stdout can take it: a SIGKILL
 * loses up to the last 100 ms, and a full pipe or a reader that is gone can lose more.
 */
function stdoutInBatches(): LineBatches {
  // maxLength: when stdout takes nothing (a stalled reader), lines beyond 16 MiB waiting are
  // dropped rather than held without limit.
  const batches = new LineBatches(pino.destination({ dest: 1, minLength: 1, sync: false, maxLength: 16 * 1024 * 1024 }), 16384);
  setInterval(() => {
    try {
      batches.flush();
    } catch {
      // destroyed at exit: nothing left to write
    }
  }, 100).unref();
  // What is gathered here must reach sonic-boom while the event loop still runs: handed on at
  // `exit`, it starts an asynchronous write that sonic-boom's flushSync (pino's own exit
  // handler) then skips, and the lines were lost when the process ended by itself (3 runs in
  // 40). So they are handed on at beforeExit. process.exit and uncaught errors have no
  // beforeExit: at exit they are handed on ahead of pino's handler, and the write that starts is
  // finished by node as it shuts down (every line in 80 runs of 80, in a reviewer's test).
  process.prependListener('beforeExit', () => {
    try {
      batches.flush();
    } catch {
      // already ended: nowhere left to write
    }
  });
  process.prependOnceListener('exit', () => {
    try {
      batches.flushSync();
    } catch {
      // stdout closed: nowhere left to write
    }
  });
  return batches;
}

/**
 * The process logger: one JSON object per line on stdout, or coloured human-readable lines
 * when `format` is pretty (auto: when stdout is a terminal). Credentials never reach it: the
 * Authorization and X-Auth-Token headers and any password or token field are redacted wherever
 * they appear.
 */
export function createLogger(level: string, destination?: pino.DestinationStream, format: LogFormat = 'json'): Logger {
  const humane = format === 'pretty' || (format === 'auto' && destination === undefined && process.stdout.isTTY === true);
  const stream = humane
    ? prettyStream()({ destination: destination ?? 1, sync: true, colorize: destination === undefined && process.stdout.isTTY === true })
    : (destination ?? stdoutInBatches());
  const logger = pino(
    {
      level,
      base: { service: 'gatehouse' },
      timestamp: isoTime,
      redact: {
        // Explicit paths only: each wildcard costs a walk over every log line's keys.
        paths: [
          'password',
          'current_password',
          'new_password',
          'token',
          'auth_token',
          'body.password',
          'body.current_password',
          'body.new_password',
          'body.token',
          'req.headers.authorization',
          'req.headers["x-auth-token"]',
          'headers.authorization',
          'headers["x-auth-token"]',
        ],
        censor: '[redacted]',
      },
    },
    // pino-pretty as a stream in this thread, not a transport: transports load worker files by
    // path, which a bundle or a single executable does not have.
    stream,
  );
  if (!humane) jsonStreams.set(logger, stream);
  return logger;
}

/** The JSON stream of each logger createLogger made (not of pretty ones). */
const jsonStreams = new WeakMap<Logger, pino.DestinationStream>();

/** The fields of the one line logged per request (src/http/observe-requests.ts). */
export interface RequestLine {
  readonly req_id: string;
  readonly method: string;
  readonly route: string;
  readonly path: string;
  readonly status: number;
  readonly duration_ms: number;
}

/**
 * Writes request lines for `log`: `{"event":"request", ...fields, "msg":"request"}` at level
 * info, the line pino writes for `log.child({ event: 'request' }).info(fields, 'request')`,
 * byte for byte (test/unit/log.test.ts holds the two together). For JSON output the line is put
 * together here, from fields whose names and types are fixed, and written to the logger's own
 * stream, instead of pino's general serialiser walking every field of every line: measured on
 * GET /dashboard/ at a fixed rate, the request line cost 7 of 43 µs of CPU per request, and
 * this way the request costs 40. Pretty output and loggers made elsewhere go through pino.
 */
export function requestLineWriter(log: Logger): (line: RequestLine) => void {
  const child = log.child({ event: 'request' });
  const stream = jsonStreams.get(log);
  if (stream === undefined) return (line) => child.info(line, 'request');
  // `,"service":"gatehouse","event":"request"`: pino's own serialisation of the bindings.
  const bindings = (child as unknown as Record<symbol, string>)[pino.symbols.chindingsSym];
  const level = `{"level":${child.levels.values.info}`;
  return (line) => {
    if (!child.isLevelEnabled('info')) return;
    stream.write(
      `${level}${isoTime()}${bindings},"req_id":${JSON.stringify(line.req_id)},"method":${JSON.stringify(line.method)},` +
        `"route":${JSON.stringify(line.route)},"path":${JSON.stringify(line.path)},"status":${line.status},` +
        `"duration_ms":${line.duration_ms},"msg":"request"}\n`,
    );
  };
}
