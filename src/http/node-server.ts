import { createServer, type RequestListener, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config/load';
import { answerClientError, answerConnect } from './client-error';

/**
 * The Node HTTP server gatehouse listens with, hardened against slow and hostile clients:
 * headers must arrive within HEADERS_TIMEOUT and the whole request within REQUEST_TIMEOUT
 * (slowloris), headers are limited to HEADER_LIMIT bytes (431), and whatever the HTTP parser
 * refuses, or a CONNECT it would drop, is answered in the JSON envelope (client-error.ts).
 */
export function createHttpServer(config: Config, handler: RequestListener, log: Logger): Server {
  const server = createServer(
    {
      headersTimeout: config.HEADERS_TIMEOUT * 1000,
      requestTimeout: config.REQUEST_TIMEOUT * 1000,
      maxHeaderSize: config.HEADER_LIMIT,
      // How often Node looks for requests past those timeouts (its default is every 30 s, which
      // would let a slow client hold a connection up to 30 s longer than the timeout).
      connectionsCheckingInterval: Math.min(1000, config.HEADERS_TIMEOUT * 250),
    },
    handler,
  );
  server.keepAliveTimeout = 5_000;
  server.on('clientError', answerClientError({ log, headerLimit: config.HEADER_LIMIT }));
  server.on('connect', answerConnect);
  return server;
}
