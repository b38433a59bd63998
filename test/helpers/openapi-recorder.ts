import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRouter } from '../../src/app';
import type { AppDeps } from '../../src/deps';
import { createOpenApiDocument } from '../../src/openapi/document';
import { documentOptions } from '../../src/openapi/options';
import { OpenApiChecker, type Exchange } from './openapi-checker';

type Callback = (req: IncomingMessage, res: ServerResponse) => unknown;

const checkers = new Map<string, OpenApiChecker>();
const found: string[] = [];

/** The checker for the document the app built from `deps` serves (one per distinct document). */
export function checkerFor(deps: AppDeps): OpenApiChecker {
  const document = createOpenApiDocument(documentOptions(deps.config));
  const key = JSON.stringify(document);
  let checker = checkers.get(key);
  if (checker === undefined) {
    checker = new OpenApiChecker(document, createRouter(deps));
    checkers.set(key, checker);
  }
  return checker;
}

/**
 * Wraps an app's request handler so that every response it writes is captured off the wire
 * and handed to `onExchange` once sent.
 */
export function recordExchanges(callback: Callback, onExchange: (exchange: Exchange) => void): Callback {
  return (req, res) => {
    const chunks: Buffer[] = [];
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (typeof chunk === 'string') chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
      else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    };
    const { write, end } = res;
    res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
      keep(chunk, rest[0]);
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as ServerResponse['write'];
    res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
      keep(chunk, rest[0]);
      return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
    } as ServerResponse['end'];
    res.once('finish', () =>
      onExchange({
        method: req.method ?? '',
        url: req.url ?? '',
        status: res.statusCode,
        headers: res.getHeaders(),
        body: Buffer.concat(chunks),
      }),
    );
    return callback(req, res);
  };
}

/**
 * The app's handler, with every response checked against /openapi.json: problems are kept and
 * fail the test that caused them (see the afterEach below).
 */
export function checkedCallback(callback: Callback, deps: AppDeps, onExchange?: (exchange: Exchange) => void): Callback {
  const checker = checkerFor(deps);
  return recordExchanges(callback, (exchange) => {
    found.push(...checker.problems(exchange));
    onExchange?.(exchange);
  });
}

// Registered in every test file that imports this module (through test/helpers/app.ts).
afterEach(() => {
  const problems = found.splice(0);
  if (problems.length > 0) {
    throw new Error(`responses that do not match the OpenAPI document (/openapi.json):\n  ${problems.join('\n  ')}`);
  }
});
