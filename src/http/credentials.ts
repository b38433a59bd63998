import type { Context } from 'koa';
import { BadRequest, InvalidCredentials, InvalidToken } from './errors';

/** Username and password from an HTTP Basic Authorization header, exactly as sent. */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
// RFC 7617 §2: "Basic" 1*SP token68; we accept only canonical, padded base64.
const BASIC = /^Basic +([A-Za-z0-9+/]*={0,2}) *$/i;
// RFC 6750 §2.1: "Bearer" 1*SP b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The value of a header that may appear at most once, or undefined when it is absent. Node keeps
 * only the first of repeated Authorization headers and joins repeats of other headers with ", ",
 * so repeats are found in rawHeaders and refused (400): which credential a proxy or the app
 * would use is ambiguous. `name` is lowercase; `label` is how the message names it.
 */
function singleHeader(ctx: Context, name: string, label: string): string | undefined {
  let count = 0;
  const raw = ctx.req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) count += 1;
  if (count > 1) throw new BadRequest('invalid_request', `send exactly one ${label} header`);
  return ctx.req.headers[name] as string | undefined;
}

/** The single Authorization header, or undefined when there is none (400 when repeated). */
export function authorizationHeader(ctx: Context): string | undefined {
  return singleHeader(ctx, 'authorization', 'Authorization');
}

/** Parses Basic credentials strictly (RFC 7617); null when there is no Authorization header. */
export function readBasicCredentials(ctx: Context): BasicCredentials | null {
  const header = authorizationHeader(ctx);
  if (header === undefined || header === '') return null;
  const match = BASIC.exec(header);
  if (match === null || match[1]!.length % 4 !== 0) {
    throw new InvalidCredentials(
      'invalid_credentials',
      'the Authorization header must be "Basic " followed by base64 of username:password',
    );
  }
  let decoded: string;
  try {
    decoded = utf8.decode(Buffer.from(match[1]!, 'base64'));
  } catch {
    throw new InvalidCredentials('invalid_credentials', 'Basic credentials must be UTF-8 text');
  }
  // RFC 7617 §2: the user-id cannot contain a colon, so split on the first one only.
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidCredentials('invalid_credentials', 'Basic credentials must be username:password');
  const username = decoded.slice(0, colon);
  if (CONTROL.test(username)) {
    throw new InvalidCredentials('invalid_credentials', 'the username must not contain control characters');
  }
  return { username, password: decoded.slice(colon + 1) };
}

/**
 * The bearer token of the request, or null when it carries none. It comes in
 * `Authorization: Bearer` (RFC 6750 §2.1) or, for apps whose own Authorization header is taken,
 * as the bare token in `tokenHeader` (AUTH_TOKEN_HEADER; '' turns it off). Another Authorization
 * scheme counts as no token; a malformed token is refused (401). Both headers with the same
 * token are accepted; with different tokens the request is ambiguous and refused (400), as two
 * Authorization headers are.
 */
export function readBearerToken(ctx: Context, tokenHeader = ''): string | null {
  const fromAuthorization = bearerFromAuthorization(ctx);
  if (tokenHeader === '') return fromAuthorization;
  const other = singleHeader(ctx, tokenHeader.toLowerCase(), tokenHeader);
  if (other === undefined || other === '') return fromAuthorization;
  if (!B64TOKEN.test(other)) throw new InvalidToken('the bearer token is malformed');
  if (fromAuthorization !== null && fromAuthorization !== other) {
    throw new BadRequest('invalid_request', `the Authorization header and ${tokenHeader} carry different tokens`);
  }
  return other;
}

function bearerFromAuthorization(ctx: Context): string | null {
  const header = authorizationHeader(ctx);
  if (header === undefined || header === '') return null;
  if (!/^Bearer(?: |$)/i.test(header)) return null;
  const match = BEARER.exec(header);
  if (match === null) throw new InvalidToken('the bearer token is malformed');
  return match[1]!;
}
