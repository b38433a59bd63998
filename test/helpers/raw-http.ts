import { once } from 'node:events';
import type { Server } from 'node:net';
import { connect, type AddressInfo } from 'node:net';

/** A response read off a raw socket, exactly as the server wrote it. */
export interface RawResponse {
  readonly status: number;
  /** Header names lowercased; repeated headers joined with ", ". */
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Milliseconds from connecting to the end of the response (or the connection). */
  readonly elapsedMs: number;
  /** Whether the server closed the connection after answering. */
  readonly closed: boolean;
}

export interface RawOptions {
  /** Sent one after another, `gapMs` apart (a slow client); `data` is sent first. */
  trickle?: (string | Buffer)[];
  gapMs?: number;
  /** Give up (reject) after this long; default 10 s. */
  timeoutMs?: number;
}

/** Listens on a free loopback port; resolves to the port. */
export async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/**
 * Sends `data` byte for byte (no client library normalises anything) and reads one response:
 * until its Content-Length is complete or the server closes. Rejects when the server closes
 * without answering.
 */
export function rawRequest(port: number, data: string | Buffer, { trickle = [], gapMs = 0, timeoutMs = 10_000 }: RawOptions = {}) {
  return new Promise<RawResponse>((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let done = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (closed: boolean) => {
      if (done) return;
      const parsed = parse(received, closed);
      // A response that announces "Connection: close" is complete when the server has closed.
      if (!closed && (parsed === null || parsed.headers.connection === 'close')) return;
      done = true;
      timers.forEach(clearTimeout);
      socket.destroy();
      if (parsed === null) reject(new Error(`connection closed without a response (got ${JSON.stringify(received.toString('latin1'))})`));
      else resolve({ ...parsed, elapsedMs: Date.now() - started, closed });
    };
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      finish(false);
    });
    socket.on('close', () => finish(true));
    // A server may answer and close before it has read everything we send.
    socket.on('error', () => finish(true));
    socket.write(data);
    trickle.forEach((part, i) => {
      timers.push(setTimeout(() => socket.writable && socket.write(part), gapMs * (i + 1)));
    });
    timers.push(
      setTimeout(() => {
        if (done) return;
        done = true;
        socket.destroy();
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs),
    );
  });
}

/** The final response in `raw` (1xx interim responses skipped); with `closed`, whatever body came. */
function parse(raw: Buffer, closed = false): Omit<RawResponse, 'elapsedMs' | 'closed'> | null {
  while (/^HTTP\/1\.[01] 1\d\d /.test(raw.subarray(0, 13).toString('latin1'))) {
    const interim = raw.indexOf('\r\n\r\n');
    if (interim < 0) return null;
    raw = raw.subarray(interim + 4);
  }
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const body = raw.subarray(end + 4);
  const length = headers['content-length'];
  if (closed) return { status, headers, body: body.toString('utf8') };
  if (length === undefined || body.length < Number(length)) return null;
  return { status, headers, body: body.subarray(0, Number(length)).toString('utf8') };
}
