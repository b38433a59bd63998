import { bodyParser } from '@koa/bodyparser';
import type { Context, Middleware } from 'koa';
import { BadRequest, PayloadTooLarge, UnsupportedContentEncoding, UnsupportedMediaType } from './errors';

const ACCEPTED = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'] as const;
/** Content codings a JSON or form body may come in (undone by the body parser); multipart, none. */
const CODINGS = ['gzip', 'deflate', 'br', 'identity'] as const;

/**
 * Parses a JSON, urlencoded or multipart (Postman "form-data") body into a plain object at
 * `ctx.request.body`; a request without a body gets `{}`. Anything else is refused with a clear
 * status: 415 for another content type or content coding, 413 over `limit` bytes (decompressed),
 * 400 for a body that does not parse, is not an object, carries files or is not valid UTF-8.
 */
export function parseBody({ limit }: { limit: number }): Middleware {
  const parseJsonOrForm = bodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit: limit,
    formLimit: limit,
    encoding: 'utf-8',
    // Any JSON value parses; one that is not an object is refused below with its own message.
    jsonStrict: false,
    // DELETE /account/ carries the password in its body (RFC 9110 §9.3.5 allows a body).
    parsedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
    onError(err: Error & { status?: number }, ctx: Context) {
      if (err.status === 413) throw new PayloadTooLarge(limit);
      if (err.status === 415) throw new UnsupportedMediaType(['a UTF-8 encoded body']);
      // zlib's errors (Z_DATA_ERROR, brotli's ERR__ERROR_*) carry a numeric errno; a parse error does not.
      const coding = ctx.get('Content-Encoding');
      if (typeof (err as { errno?: unknown }).errno === 'number' && coding !== '' && coding !== 'identity') {
        throw new BadRequest('malformed_body', `the request body is not valid ${coding} data (its Content-Encoding)`);
      }
      const kind = ctx.request.is('json') ? 'JSON' : 'urlencoded form data';
      throw new BadRequest('malformed_body', `the request body is not valid ${kind}`);
    },
  });
  // multer (with busboy) is loaded by the first multipart body rather than at start-up, where it
  // cost about 8 ms of every launch.
  let multipart: Promise<Middleware> | undefined;
  const parseMultipart = async (ctx: Context, next: () => Promise<void>) => {
    multipart ??= import('@koa/multer').then(({ default: multer }) =>
      multer({
        limits: { fieldNameSize: 100, fieldSize: limit, fields: 16, files: 0, parts: 16, headerPairs: 16 },
      }).none(),
    );
    return (await multipart)(ctx, next);
  };
  const done = async () => {};

  return async function parseBodyMiddleware(ctx, next) {
    if (!hasBody(ctx)) {
      ctx.request.body = {};
      return next();
    }
    const declared = Number(ctx.get('Content-Length') || 0);
    if (declared > limit) throw new PayloadTooLarge(limit);
    const type = ctx.request.is('json', 'urlencoded', 'multipart');
    if (!type) throw new UnsupportedMediaType(ACCEPTED);
    // Content codings are case-insensitive (RFC 9110 §8.4.1); the body parser compares them as sent.
    const coding = ctx.get('Content-Encoding').trim().toLowerCase();
    if (coding !== '') {
      const codings = type === 'multipart' ? (['identity'] as const) : CODINGS;
      if (!(codings as readonly string[]).includes(coding)) throw new UnsupportedContentEncoding(codings);
      ctx.req.headers['content-encoding'] = coding;
    }

    // Each parser runs to completion with a no-op `next`, so its errors are told apart from
    // the errors of the route that runs after it.
    if (type === 'multipart') {
      try {
        await parseMultipart(ctx, done);
      } catch (err) {
        throw multipartError(err as Error & { code?: string }, limit);
      }
    } else {
      await parseJsonOrForm(ctx, done);
      if (type === 'urlencoded') assertWellFormedForm(ctx.request.rawBody);
    }
    const body: unknown = ctx.request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new BadRequest('malformed_body', 'the request body must be an object of fields');
    }
    return next();
  };
}

function hasBody(ctx: Context): boolean {
  const { headers } = ctx.req;
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] ?? '0') !== '0';
}

// qs keeps a malformed percent-escape (such as %FF) as literal text, which would silently
// change a password; refuse the body instead.
function assertWellFormedForm(raw: string | undefined): void {
  for (const pair of (raw ?? '').split('&')) {
    for (const part of pair.split('=')) {
      try {
        decodeURIComponent(part.replace(/\+/g, ' '));
      } catch {
        throw new BadRequest('malformed_body', 'the form body has a malformed percent-escape or invalid UTF-8');
      }
    }
  }
}

function multipartError(err: Error & { code?: string }, limit: number) {
  switch (err.code) {
    case 'LIMIT_FIELD_VALUE':
      return new PayloadTooLarge(limit);
    case 'LIMIT_FILE_COUNT':
    case 'LIMIT_UNEXPECTED_FILE':
      return new BadRequest('malformed_body', 'file uploads are not accepted; send text fields only');
    case 'LIMIT_FIELD_COUNT':
    case 'LIMIT_PART_COUNT':
      return new BadRequest('malformed_body', 'the multipart body has too many fields');
    default:
      return new BadRequest('malformed_body', 'the multipart body is malformed');
  }
}
