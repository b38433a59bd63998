import type { ErrorCode } from '../http/errors';
import { schemaRef } from './schemas';
import type { Header, Reference, Response, Schema } from './types';

/** A reference to one of the headers below. */
export const headerRef = (name: keyof typeof HEADERS): Reference => ({ $ref: `#/components/headers/${name}` });

/** components.headers */
export const HEADERS = {
  'X-Request-Id': {
    description: 'The request id: the caller\'s well-formed `X-Request-Id`, or a generated UUID. It is in the logs too.',
    required: true,
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
  },
  'Cache-Control': {
    description: 'Nothing gatehouse answers may be stored: bodies hold tokens and identities (RFC 6749 §5.1).',
    required: true,
    schema: { type: 'string', const: 'no-store' },
  },
  'WWW-Authenticate-Bearer': {
    description: 'RFC 6750 §3: no `error` attribute without a token; `error="invalid_token"` for a bad one.',
    required: true,
    schema: { type: 'string', pattern: '^Bearer realm="gatehouse"(, error="invalid_token", error_description="[^"]*")?$' },
  },
  'WWW-Authenticate-Basic': {
    description: 'RFC 7617: HTTP Basic, credentials in UTF-8.',
    required: true,
    schema: { type: 'string', const: 'Basic realm="gatehouse", charset="UTF-8"' },
  },
  'Retry-After': {
    description: 'Whole seconds to wait before trying again (RFC 9110 §10.2.3).',
    required: true,
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  'Accept-Encoding': {
    description:
      'On a body in a content coding gatehouse does not undo, the codings it takes (RFC 7694 §3): ' +
      '`gzip, deflate, br` for JSON and urlencoded bodies, `identity` (none) for multipart.',
    required: false,
    schema: { type: 'string', enum: ['gzip, deflate, br', 'identity'] },
  },
  Allow: {
    description: 'The methods the path answers (RFC 9110 §10.2.1).',
    required: true,
    schema: { type: 'string', pattern: '^[A-Z]+(, [A-Z]+)*$' },
  },
} satisfies Record<string, Header>;

// The HEADERS keys double as header names, except the two WWW-Authenticate variants.
const COMMON_HEADERS = { 'X-Request-Id': headerRef('X-Request-Id'), 'Cache-Control': headerRef('Cache-Control') };

/** The JSON content of a response or request body. */
export const json = (schema: Schema) => ({ 'application/json': { schema } });

/**
 * A response with the headers every gatehouse answer carries (X-Request-Id, Cache-Control:
 * no-store) plus `headers`, and `content` (none: an empty body).
 */
export function response(
  description: string,
  content?: Response['content'],
  headers: Record<string, Header | Reference> = {},
): Response {
  return { description, headers: { ...COMMON_HEADERS, ...headers }, ...(content ? { content } : {}) };
}

// What a person sees as the example of each error code in /docs (the first code of a response).
const EXAMPLE_MESSAGES: Readonly<Record<ErrorCode, string>> = {
  invalid_request: 'send exactly one Authorization header',
  missing_fields: 'username and password are required fields',
  invalid_username: 'username must be 1 to 64 characters: letters, digits and . _ - @',
  invalid_password: 'password must be at least 8 characters',
  invalid_field: 'first_name must be at most 100 characters of text without control characters',
  malformed_body: 'the request body is not valid JSON',
  user_exists: 'this user profile already exists',
  missing_credentials: 'HTTP Basic credentials are required',
  invalid_credentials: 'invalid username or password',
  missing_token: 'a bearer token is required',
  invalid_token: 'the bearer token is invalid, expired or revoked',
  invalid_client: 'client authentication failed',
  wrong_password: 'the current password is wrong',
  not_found: 'no route for GET /nowhere',
  method_not_allowed: 'PUT is not allowed here; allowed: HEAD, GET',
  payload_too_large: 'the request body is larger than the limit of 16384 bytes',
  headers_too_large: 'the request headers are larger than the limit of 16384 bytes',
  request_timeout: 'the request was not received in time',
  unsupported_media_type: 'the request body must be one of: application/json, application/x-www-form-urlencoded, multipart/form-data',
  conflict: 'the password was changed by another request meanwhile; try again',
  too_many_requests: 'too many failed logins; try again later',
  service_unavailable: 'the user store is unavailable; try again shortly',
  internal_error: 'internal server error',
};

/** An error answer: the error envelope with `error` one of `codes`; its example shows the first. */
export function errorResponse(
  description: string,
  codes: readonly [ErrorCode, ...ErrorCode[]],
  headers: Record<string, Header | Reference> = {},
  message = EXAMPLE_MESSAGES[codes[0]],
): Response {
  return response(
    description,
    {
      'application/json': {
        schema: { allOf: [schemaRef('Error'), { type: 'object', properties: { error: { enum: codes } } }] },
        example: { msg: message, data: null, error: codes[0] },
      },
    },
    headers,
  );
}

const bearerChallenge = { 'WWW-Authenticate': headerRef('WWW-Authenticate-Bearer') };
const basicChallenge = { 'WWW-Authenticate': headerRef('WWW-Authenticate-Basic') };

/** components.responses: the answers many operations share. */
export const RESPONSES = {
  MissingOrInvalidToken: errorResponse(
    'No bearer token (`missing_token`), or a malformed, forged, expired or revoked one, or one whose user was deleted (`invalid_token`).',
    ['missing_token', 'invalid_token'],
    bearerChallenge,
  ),
  InvalidClient: errorResponse(
    'No, malformed or wrong client credentials (RFC 6749 §5.2 `invalid_client`).',
    ['invalid_client'],
    basicChallenge,
  ),
  AmbiguousToken: errorResponse(
    'Two `Authorization` (or two token) headers, or two different tokens in `Authorization` and the token header.',
    ['invalid_request'],
  ),
  PayloadTooLarge: errorResponse('The body is over BODY_LIMIT bytes.', ['payload_too_large']),
  UnsupportedMediaType: errorResponse(
    'The body is not JSON, urlencoded or multipart, or is in a content coding other than gzip, deflate or br ' +
      '(a multipart body: in any coding); then `Accept-Encoding` lists those taken.',
    ['unsupported_media_type'],
    { 'Accept-Encoding': headerRef('Accept-Encoding') },
  ),
  ServiceUnavailable: errorResponse(
    'The store does not answer (gatehouse fails closed: nothing is let through), too many password checks are ' +
      'waiting (ARGON2_MAX_QUEUED), or gatehouse is shutting down.',
    ['service_unavailable'],
    { 'Retry-After': headerRef('Retry-After') },
  ),
  InternalError: errorResponse('An unexpected failure; it is logged and its details are not shown.', ['internal_error']),
  NotFound: errorResponse('No such path (any path this document does not list).', ['not_found']),
  MethodNotAllowed: errorResponse(
    'A listed path with a method it does not answer; `Allow` lists those it does.',
    ['method_not_allowed'],
    { Allow: headerRef('Allow') },
  ),
  Options: response('`OPTIONS` on any listed path: an empty answer whose `Allow` lists its methods.', undefined, {
    Allow: headerRef('Allow'),
  }),
} satisfies Record<string, Response>;

export const responseRef = (name: keyof typeof RESPONSES): Reference => ({ $ref: `#/components/responses/${name}` });

/** WWW-Authenticate for Basic challenges, for operations that define their own 401. */
export const BASIC_CHALLENGE = basicChallenge;
