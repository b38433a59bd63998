import { fieldsBody } from './bodies';
import type { DocumentOptions } from './options';
import { errorResponse, json, response, responseRef } from './responses';
import { envelope, schemaRef } from './schemas';
import { bearer, CLIENT } from './security';
import type { Header, Operation, PathItem, Response } from './types';

const USERNAME_HEADER: Header = {
  description: 'The username: copy it onto the request your proxy forwards.',
  required: true,
  schema: { type: 'string', pattern: '^[a-z0-9._@-]{1,64}$' },
};

const identity: Response = response('A live token: its identity is in the headers; the body is empty.', undefined, {
  'X-Auth-Request-User': USERNAME_HEADER,
  'Remote-User': USERNAME_HEADER,
  'X-Auth-Request-Expires': {
    description: 'When the token expires (RFC 3339).',
    required: true,
    schema: { type: 'string', format: 'date-time', pattern: 'Z$' },
  },
  'X-Auth-Request-Session': {
    description: 'The session id (the token\'s `jti`).',
    required: true,
    schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{16,64}$' },
  },
});

function verify(tokenHeader: string, method: 'get' | 'post', suffix: boolean): Operation {
  const name = `${method === 'get' ? 'verify' : 'verifyPost'}${suffix ? 'WithSuffix' : ''}`;
  return {
    operationId: name,
    summary: `Forward auth for a reverse proxy (${method.toUpperCase()}${method === 'get' ? ' or HEAD' : ''}): who is this?`,
    description:
      'The bearer check and nothing more: 200 with the identity in headers, or the 401 your proxy passes back. ' +
      'Identity headers the client sent are never read or echoed. No body is needed' +
      (suffix ? '; the suffix (say, the original request path) is ignored.' : '.'),
    tags: ['sidecar'],
    security: bearer(tokenHeader),
    ...(suffix
      ? {
          parameters: [
            {
              name: 'rest',
              in: 'path',
              required: true,
              description: 'Any path suffix; ignored. (It may span several segments, e.g. `/auth/verify/api/things`.)',
              schema: { type: 'string' },
            },
          ],
        }
      : {}),
    responses: {
      200: identity,
      400: responseRef('AmbiguousToken'),
      401: responseRef('MissingOrInvalidToken'),
      503: responseRef('ServiceUnavailable'),
    },
  };
}

const clientErrors = {
  400: errorResponse(
    'No `token` (`invalid_request`), or a body that does not parse; or two `Authorization` headers.',
    ['invalid_request', 'invalid_field', 'malformed_body'],
    {},
    'token is a required field',
  ),
  401: responseRef('InvalidClient'),
  413: responseRef('PayloadTooLarge'),
  415: responseRef('UnsupportedMediaType'),
  503: responseRef('ServiceUnavailable'),
};

const tokenBody = fieldsBody(schemaRef('TokenParameter'), 'The token to ask about.', 'application/x-www-form-urlencoded');

/** Forward auth, and introspection and revocation for other services. */
export function sidecarPaths({ tokenHeader }: DocumentOptions): Record<string, PathItem> {
  return {
    '/auth/verify': { get: verify(tokenHeader, 'get', false), post: verify(tokenHeader, 'post', false) },
    '/auth/verify/{rest}': { get: verify(tokenHeader, 'get', true), post: verify(tokenHeader, 'post', true) },
    '/oauth2/introspect': {
      post: {
        operationId: 'introspect',
        summary: 'Token introspection for other services (RFC 7662)',
        description: 'The answer is the RFC\'s own JSON, not the `{"msg", "data"}` envelope.',
        tags: ['oauth2'],
        security: CLIENT,
        requestBody: tokenBody,
        responses: {
          200: response('The token\'s claims when it is live; otherwise just `{"active": false}`.', json(schemaRef('Introspection'))),
          ...clientErrors,
        },
      },
    },
    '/oauth2/revoke': {
      post: {
        operationId: 'revoke',
        summary: 'Token revocation for other services (RFC 7009)',
        description: '200 whether or not the token was valid (RFC 7009 §2.2): either way it no longer works.',
        tags: ['oauth2'],
        security: CLIENT,
        requestBody: tokenBody,
        responses: { 200: response('The token no longer works.', json(envelope('successfully invalidated token'))), ...clientErrors },
      },
    },
  };
}
