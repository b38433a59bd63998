import { NAME } from '../version';
import { fieldsBody } from './bodies';
import { BASIC_CHALLENGE, errorResponse, headerRef, json, response, responseRef } from './responses';
import { envelope, schemaRef } from './schemas';
import { bearer, NO_AUTH, USER_PASSWORD } from './security';
import type { DocumentOptions } from './options';
import type { Operation, PathItem } from './types';

const logout = (tokenHeader: string, method: 'get' | 'post'): Operation => ({
  operationId: method === 'get' ? 'logout' : 'logoutPost',
  summary: `Revoke the token (${method.toUpperCase()}), or every session of the user`,
  description:
    'Ends the session of the presented token at once: from then on it gets 401 everywhere. ' +
    'With `scope=global`, every session of the user ends, this one included ("log out everywhere").',
  tags: ['tutorial'],
  security: bearer(tokenHeader),
  parameters: [
    {
      name: 'scope',
      in: 'query',
      required: false,
      description: '`local` (the default): this token only; `global`: every session of the user.',
      schema: { type: 'string', enum: ['local', 'global'], default: 'local' },
    },
  ],
  responses: {
    200: response(
      'Revoked: this token (`scope=local`), or all of the user\'s tokens with their count (`scope=global`).',
      json({
        oneOf: [envelope('successfully invalidated token'), envelope('successfully invalidated all tokens', schemaRef('Revoked'))],
      }),
    ),
    400: errorResponse('A `scope` other than `local` or `global`, or an ambiguous token.', ['invalid_request'], {}, 'scope must be "local" or "global"'),
    401: responseRef('MissingOrInvalidToken'),
    503: responseRef('ServiceUnavailable'),
  },
});

/** The tutorial's routes: banner, register, login, dashboard, logout. */
export function tutorialPaths({ tokenHeader }: DocumentOptions): Record<string, PathItem> {
  return {
    '/': {
      get: {
        operationId: 'banner',
        summary: 'What answers on this port: name and version',
        tags: ['tutorial'],
        security: NO_AUTH,
        responses: { 200: response('The banner.', json(envelope(`${NAME} is running`, schemaRef('Banner')))) },
      },
    },
    '/register': {
      post: {
        operationId: 'register',
        summary: 'Create a user',
        description: 'The tutorial\'s register route. Usernames are stored lowercased; passwords exactly as sent.',
        tags: ['tutorial'],
        security: NO_AUTH,
        requestBody: fieldsBody(schemaRef('Registration'), 'The new user\'s fields.'),
        responses: {
          201: response('Created.', json(envelope('successfully created user profile'))),
          400: errorResponse(
            'A missing or empty username or password (`missing_fields`), a rule broken (the message says which), or a body that does not parse.',
            ['missing_fields', 'invalid_username', 'invalid_password', 'invalid_field', 'malformed_body'],
          ),
          409: errorResponse('The username is taken (names compare case-insensitively).', ['user_exists']),
          413: responseRef('PayloadTooLarge'),
          415: responseRef('UnsupportedMediaType'),
          503: responseRef('ServiceUnavailable'),
        },
      },
    },
    '/login': {
      post: {
        operationId: 'login',
        summary: 'Log in with HTTP Basic: get a bearer token',
        description:
          'Every token issued is a session, recorded with the login\'s user agent and address. ' +
          'A wrong password and an unknown user get the same answer and cost the same work.',
        tags: ['tutorial'],
        security: USER_PASSWORD,
        responses: {
          200: response('Authenticated: a new token.', json(envelope('successfully authenticated user', schemaRef('LoginResult')))),
          400: errorResponse('Two `Authorization` headers.', ['invalid_request']),
          401: errorResponse(
            'No Basic credentials (`missing_credentials`), or malformed or wrong ones (`invalid_credentials`).',
            ['missing_credentials', 'invalid_credentials'],
            BASIC_CHALLENGE,
          ),
          429: errorResponse(
            'Too many failed logins for this account (LOGIN_FAILURES_PER_ACCOUNT) or from this address ' +
              '(LOGIN_FAILURES_PER_ADDRESS) within LOGIN_FAILURE_WINDOW: every attempt is refused, before any ' +
              'password check, until the window ends.',
            ['too_many_requests'],
            { 'Retry-After': headerRef('Retry-After') },
          ),
          503: responseRef('ServiceUnavailable'),
        },
      },
    },
    '/dashboard': {
      get: {
        operationId: 'dashboard',
        summary: 'Who am I: the token\'s user',
        tags: ['tutorial'],
        security: bearer(tokenHeader),
        responses: {
          200: response('The user\'s profile.', json(envelope('successfully requested user info', schemaRef('Profile')))),
          400: responseRef('AmbiguousToken'),
          401: responseRef('MissingOrInvalidToken'),
          503: responseRef('ServiceUnavailable'),
        },
      },
    },
    '/logout': { get: logout(tokenHeader, 'get'), post: logout(tokenHeader, 'post') },
  };
}
