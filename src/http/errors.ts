/**
 * HTTP errors. Routes and middleware throw these; only the error handler (error-handler.ts)
 * turns them into responses: `{"msg": message, "data": null, "error": code}` with `status` and
 * `headers`. Messages are written for the client and never contain credentials or tokens.
 */

/** Every `error` code a response can carry (the OpenAPI document lists them from here). */
export const ERROR_CODES = [
  'invalid_request',
  'missing_fields',
  'invalid_username',
  'invalid_password',
  'invalid_field',
  'malformed_body',
  'user_exists',
  'missing_credentials',
  'invalid_credentials',
  'missing_token',
  'invalid_token',
  'invalid_client',
  'wrong_password',
  'not_found',
  'method_not_allowed',
  'payload_too_large',
  'headers_too_large',
  'request_timeout',
  'unsupported_media_type',
  'conflict',
  'too_many_requests',
  'service_unavailable',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  readonly status: number;
  readonly code: ErrorCode;
  readonly headers: Readonly<Record<string, string>>;
  /** Whether the message may be shown to the client (4xx and 503) or replaced by a generic one. */
  readonly expose: boolean;

  constructor(status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
    this.expose = status < 500 || status === 503;
  }
}

export const REALM = 'gatehouse';

// RFC 7617 §2 (realm) and §2.1 (charset): credentials are UTF-8.
const BASIC_CHALLENGE = `Basic realm="${REALM}", charset="UTF-8"`;
// RFC 6750 §3: no error attribute when the request carried no token at all.
const BEARER_CHALLENGE = `Bearer realm="${REALM}"`;

export class BadRequest extends HttpError {
  constructor(code: ErrorCode, message: string) {
    super(400, code, message);
  }
}

/** 401 for /login/: missing, malformed or wrong Basic credentials. */
export class InvalidCredentials extends HttpError {
  constructor(code: 'missing_credentials' | 'invalid_credentials', message: string) {
    super(401, code, message, { 'WWW-Authenticate': BASIC_CHALLENGE });
  }
}

/** 401 for protected routes called without any bearer token. */
export class MissingToken extends HttpError {
  constructor() {
    super(401, 'missing_token', 'a bearer token is required', { 'WWW-Authenticate': BEARER_CHALLENGE });
  }
}

/** 401 for a bearer token that is malformed, expired, revoked or not ours (RFC 6750 §3.1). */
export class InvalidToken extends HttpError {
  constructor(message = 'the bearer token is invalid, expired or revoked') {
    super(401, 'invalid_token', message, {
      'WWW-Authenticate': `${BEARER_CHALLENGE}, error="invalid_token", error_description="${message}"`,
    });
  }
}

/**
 * 401 for /oauth2/introspect and /oauth2/revoke: the calling service is not a configured client
 * or its secret is wrong (RFC 6749 §5.2 invalid_client, with the Basic challenge it used).
 */
export class InvalidClient extends HttpError {
  constructor(message = 'client authentication failed') {
    super(401, 'invalid_client', message, { 'WWW-Authenticate': BASIC_CHALLENGE });
  }
}

/**
 * 403 for a valid bearer token with a wrong re-authentication password (PUT /password/,
 * DELETE /account/). Not 401: the token is fine, and a client that treats 401 as "log in
 * again" must not throw it away.
 */
export class WrongPassword extends HttpError {
  constructor() {
    super(403, 'wrong_password', 'the current password is wrong');
  }
}

export class Conflict extends HttpError {
  constructor(code: 'user_exists' | 'conflict', message: string) {
    super(409, code, message);
  }
}

export class NotFound extends HttpError {
  constructor(method: string, path: string) {
    super(404, 'not_found', `no route for ${method} ${path}`);
  }
}

export class MethodNotAllowed extends HttpError {
  constructor(method: string, allowed: string) {
    super(405, 'method_not_allowed', `${method} is not allowed here; allowed: ${allowed}`, { Allow: allowed });
  }
}

export class PayloadTooLarge extends HttpError {
  constructor(limit: number) {
    super(413, 'payload_too_large', `the request body is larger than the limit of ${limit} bytes`);
  }
}

export class UnsupportedMediaType extends HttpError {
  constructor(accepted: readonly string[]) {
    super(415, 'unsupported_media_type', `the request body must be one of: ${accepted.join(', ')}`);
  }
}

/**
 * A request body in a content coding gatehouse does not undo. RFC 7694 §3: the answer lists in
 * Accept-Encoding the codings it does take (identity, no coding, always).
 */
export class UnsupportedContentEncoding extends HttpError {
  constructor(codings: readonly string[]) {
    const compressed = codings.filter((c) => c !== 'identity');
    super(
      415,
      'unsupported_media_type',
      compressed.length > 0
        ? `the request body's Content-Encoding must be one of: ${compressed.join(', ')} (or none)`
        : "this request body must not have a Content-Encoding",
      { 'Accept-Encoding': compressed.length > 0 ? compressed.join(', ') : 'identity' },
    );
  }
}

export class ServiceUnavailable extends HttpError {
  constructor(message: string, retryAfterSeconds = 1) {
    super(503, 'service_unavailable', message, { 'Retry-After': String(retryAfterSeconds) });
  }
}

/** 429 (RFC 6585 §4) with Retry-After (RFC 9110 §10.2.3) in whole seconds. */
export class TooManyRequests extends HttpError {
  constructor(message: string, retryAfterSeconds: number) {
    super(429, 'too_many_requests', message, { 'Retry-After': String(retryAfterSeconds) });
  }
}
