import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics';
import { HttpError, MethodNotAllowed, NotFound } from './errors';
import { requestIdFor } from './observe-requests';
import { SECURITY_HEADERS } from './security-headers';

// As the main app's router answers for a GET route: HEAD comes with GET, listed first.
const ALLOW = 'HEAD, GET';
const SECURITY_ENTRIES = Object.entries(SECURITY_HEADERS);

/**
 * The request listener of the separate metrics port (METRICS_PORT), kept off the public network.
 * A plain node:http handler, not the Koa app, so a scrape stays cheap; it answers as the main app
 * would: GET and HEAD /metrics (with or without a trailing slash, whatever the query) 200 with the
 * Prometheus text, OPTIONS 200 with Allow, other methods 405 with Allow, other paths 404, a
 * failing registry 500; errors in the usual envelope, and every response with X-Request-Id and
 * the security headers. Neither its requests nor their metrics are logged or counted.
 */
export function metricsListener({ metrics, log }: { metrics: Pick<Metrics, 'registry'>; log: Logger }): RequestListener {
  return function answerMetricsRequest(req, res) {
    res.setHeader('X-Request-Id', requestIdFor(req.headers['x-request-id']));
    for (const [name, value] of SECURITY_ENTRIES) res.setHeader(name, value);
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0]!;
    if (path !== '/metrics' && path !== '/metrics/') return answerError(res, new NotFound(method, path));
    if (method === 'OPTIONS') return void res.writeHead(200, { Allow: ALLOW, 'Content-Length': '0' }).end();
    if (method !== 'GET' && method !== 'HEAD') return answerError(res, new MethodNotAllowed(method, ALLOW));
    metrics.registry.metrics().then(
      // For HEAD, Node sends the headers (Content-Length included) and drops the body.
      (text) =>
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Content-Length': Buffer.byteLength(text) }).end(text),
      (err: unknown) => {
        log.error({ err, method, path }, 'request failed');
        answerError(res, new HttpError(500, 'internal_error', 'internal server error'));
      },
    );
  };
}

/** An error in the envelope error-handler.ts writes: `{"msg", "data": null, "error"}`. */
function answerError(res: ServerResponse<IncomingMessage>, err: HttpError): void {
  const body = JSON.stringify({ msg: err.message, data: null, error: err.code });
  res
    .writeHead(err.status, {
      ...err.headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    })
    .end(body);
}
