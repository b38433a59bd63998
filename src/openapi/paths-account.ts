import { fieldsBody } from './bodies';
import type { DocumentOptions } from './options';
import { errorResponse, headerRef, json, response, responseRef } from './responses';
import { envelope, schemaRef } from './schemas';
import { bearer } from './security';
import type { PathItem } from './types';

// Bearer routes that take a body and re-check the password (PUT /password/, DELETE /account/).
const reauthenticatedErrors = {
  401: responseRef('MissingOrInvalidToken'),
  403: errorResponse(
    'The token is fine but the password sent is wrong. Not 401: a client must not throw the token away.',
    ['wrong_password'],
  ),
  413: responseRef('PayloadTooLarge'),
  415: responseRef('UnsupportedMediaType'),
  429: errorResponse(
    'Too many wrong passwords for this account or from this address: the same counters as POST /login/ ' +
      '(a wrong password here counts as a failed login), and every check is refused, before any password ' +
      'check, until the window ends.',
    ['too_many_requests'],
    { 'Retry-After': headerRef('Retry-After') },
  ),
  503: responseRef('ServiceUnavailable'),
};

/** A user's sessions and account: list and end sessions, change the password, delete the account. */
export function accountPaths({ tokenHeader }: DocumentOptions): Record<string, PathItem> {
  const security = bearer(tokenHeader);
  const tags = ['account'];
  const bearerErrors = {
    400: responseRef('AmbiguousToken'),
    401: responseRef('MissingOrInvalidToken'),
    503: responseRef('ServiceUnavailable'),
  };
  return {
    '/sessions': {
      get: {
        operationId: 'listSessions',
        summary: 'My live sessions, oldest first',
        description: 'One session per token issued, with the user agent and address of the login; `current` marks this token\'s.',
        tags,
        security,
        responses: {
          200: response(
            'The sessions.',
            json(
              envelope('successfully listed sessions', {
                type: 'object',
                required: ['sessions'],
                additionalProperties: false,
                properties: { sessions: { type: 'array', items: schemaRef('Session') } },
              }),
            ),
          ),
          ...bearerErrors,
        },
      },
      delete: {
        operationId: 'revokeOtherSessions',
        summary: 'Log out my other sessions',
        description: 'Every session of the caller ends except the current one (`POST /logout?scope=global` ends that too).',
        tags,
        security,
        responses: {
          200: response('Revoked, with the count.', json(envelope('successfully revoked other sessions', schemaRef('Revoked')))),
          ...bearerErrors,
        },
      },
    },
    '/sessions/{jti}': {
      delete: {
        operationId: 'revokeSession',
        summary: 'Log out one of my sessions ("sign out that device")',
        tags,
        security,
        parameters: [
          {
            name: 'jti',
            in: 'path',
            required: true,
            description: 'The session id, from `GET /sessions/`.',
            schema: { type: 'string' },
          },
        ],
        responses: {
          200: response('That session ended.', json(envelope('successfully revoked session'))),
          ...bearerErrors,
          404: errorResponse(
            'Not a live session of the caller (another user\'s, ended, or never existed: they are not told apart).',
            ['not_found'],
            {},
            'you have no live session with this id',
          ),
        },
      },
    },
    '/password': {
      put: {
        operationId: 'changePassword',
        summary: 'Change my password (ends my other sessions)',
        description:
          'The session making the request stays; every other session ends in the same atomic step, and a login ' +
          'checking the old password at that moment gets no token.',
        tags,
        security,
        requestBody: fieldsBody(schemaRef('PasswordChange'), 'The current and the new password.'),
        responses: {
          200: response('Changed.', json(envelope('successfully changed password'))),
          400: errorResponse(
            'A missing field (`missing_fields`), a new password that breaks a rule or equals the current one ' +
              '(`invalid_password`), a body that does not parse, or an ambiguous token (`invalid_request`).',
            ['missing_fields', 'invalid_password', 'invalid_field', 'malformed_body', 'invalid_request'],
            {},
            'current_password and new_password are required fields',
          ),
          ...reauthenticatedErrors,
          409: errorResponse('The password was changed by another request meanwhile; try again.', ['conflict']),
        },
      },
    },
    '/account': {
      delete: {
        operationId: 'deleteAccount',
        summary: 'Delete my account and every session of it',
        description: 'The user and all of its tokens go in one atomic step; the name can be registered again.',
        tags,
        security,
        requestBody: fieldsBody(schemaRef('AccountDeletion'), 'The current password.'),
        responses: {
          200: response('Deleted.', json(envelope('successfully deleted user profile'))),
          400: errorResponse(
            'No `password` (`missing_fields`), a body that does not parse, or an ambiguous token (`invalid_request`).',
            ['missing_fields', 'invalid_field', 'malformed_body', 'invalid_request'],
            {},
            'password is a required field',
          ),
          ...reauthenticatedErrors,
        },
      },
    },
  };
}
