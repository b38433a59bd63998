import pino, { type Logger } from 'pino';
import type pretty from 'pino-pretty';
import { FdWriter } from './fd-writer';
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
 * call was a tenth of the time of a bearer check. Lines are gathered by LineBatches and each
 * batch written by FdWriter, in order and at once, and on a full pipe later, on a timer: the
 * event loop never waits for the log's reader. What is waiting is written as the process ends
 * (by itself, by a signal handler or after an uncaught error): a SIGKILL loses up to the last
 * 100 ms; a reader that is gone (EPIPE) stops the log; a full pipe is given 1 s at exit; and
 * when stdout takes nothing, lines beyond 16 MiB waiting are dropped rather than held.
 */
function stdoutInBatches(): LineBatches {
  // Made non-blocking when it is a pipe, as node does for process.stdout itself: a write then
  // answers EAGAIN instead of waiting for the reader.
  void process.stdout;
  const batches = new LineBatches(new FdWriter(1), 16384);
  setInterval(() => batches.flush(), 100).unref();
  // Handed on while the event loop still runs when the process ends by itself; at exit for
  // process.exit and uncaught errors, which have no beforeExit.
  process.prependListener('beforeExit', () => batches.flush());
  process.prependOnceListener('exit', () => batches.flushSync());
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
