import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { ErrorCode } from './errors';
import { requestIdFor } from './observe-requests';
import { SECURITY_HEADERS } from './security-headers';

/**
 * The server's 'clientError' listener: requests that Node's HTTP parser refuses, or that a slow
 * client did not finish in time, never reach Koa. Node would answer them with a bare text
 * status line; this answers in the usual JSON envelope with the usual headers, then closes the
 * connection. Only the error code is logged: the raw bytes (err.rawPacket) may hold credentials.
 */
export function answerClientError({ log, headerLimit }: { log: Logger; headerLimit: number }) {
  return function onClientError(err: Error & { code?: string }, socket: Socket): void {
    // Nothing to answer on a connection the client already dropped.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    // A response is already on its way on this connection: another status line would corrupt it.
    const current = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (current?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, code, msg] = describe(err.code, headerLimit);
    log.info({ event: 'client_error', code: err.code, status }, 'refused a malformed or slow request');
    // The parser gave up on this request, so its own X-Request-Id cannot be trusted: a new one.
    answerRaw(socket, status, code, msg, { 'X-Request-Id': requestIdFor() });
  };
}

/**
 * The server's 'connect' listener: gatehouse is no proxy. Without a listener Node would drop the
 * connection without a word; this answers 405 in the envelope instead.
 */
export function answerConnect(req: IncomingMessage, socket: Duplex): void {
  // A CONNECT's headers were parsed: its X-Request-Id is kept as any request's would be.
  answerRaw(socket, 405, 'method_not_allowed', 'CONNECT is not allowed here; gatehouse is not a proxy', {
    'X-Request-Id': requestIdFor(req.headers['x-request-id']),
    Allow: 'GET, HEAD, POST',
  });
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/** Writes a whole response in the usual envelope straight to the socket, and closes it. */
function answerRaw(socket: Duplex, status: number, code: ErrorCode, msg: string, extra: Record<string, string> = {}): void {
  const body = JSON.stringify({ msg, data: null, error: code });
  const headers = {
    ...SECURITY_HEADERS,
    ...extra,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
  };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status} ${REASONS[status]}\r\n${head}\r\n${body}`);
}

function describe(code: string | undefined, headerLimit: number): [number, ErrorCode, string] {
  switch (code) {
    // RFC 6585 §5
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'headers_too_large', `the request headers are larger than the limit of ${headerLimit} bytes`];
    // headersTimeout or requestTimeout ran out (RFC 9110 §15.5.9)
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'request_timeout', 'the request was not received in time'];
    default:
      return [400, 'invalid_request', 'the request is not valid HTTP/1.1'];
  }
}
