import { ERROR_CODES } from '../http/errors';
import { PASSWORD_MAX, PASSWORD_MIN } from '../users/registration';
import type { Schema } from './types';

/** A reference to one of the schemas below. */
export const schemaRef = (name: keyof typeof SCHEMAS): Schema => ({ $ref: `#/components/schemas/${name}` });

const string = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const nullableString = (description: string): Schema => ({ type: ['string', 'null'], description });
const closedObject = (properties: Record<string, Schema>, required = Object.keys(properties)): Schema => ({
  type: 'object',
  required,
  properties,
  additionalProperties: false,
});

/** The house envelope of a successful answer: a fixed `msg` for the route and its `data`. */
export function envelope(msg: string, data: Schema = { type: 'null' }): Schema {
  return closedObject({ msg: { const: msg }, data });
}

const JTI: Schema = string('session id: the token\'s `jti`, 128 random bits in base64url', {
  pattern: '^[A-Za-z0-9_-]{16,64}$',
});
const USERNAME: Schema = string('letters, digits and `. _ - @`; compared case-insensitively, stored lowercased', {
  pattern: '^[A-Za-z0-9._@-]{1,64}$',
  examples: ['alice'],
});
const NEW_PASSWORD: Schema = string('kept exactly as sent; no control characters; valid Unicode', {
  minLength: PASSWORD_MIN,
  maxLength: PASSWORD_MAX,
  format: 'password',
  examples: ['correct horse battery'],
});
const NAME: Schema = string('optional, at most 100 characters', { maxLength: 100 });
const SECONDS: Schema = { type: 'integer', minimum: 0, description: 'seconds since the epoch' };
const TOKEN: Schema = string('a PASETO v3.local token (opaque to clients)', { pattern: '^v3\\.local\\.' });

/** components.schemas: the data of the answers, the bodies of the requests. */
export const SCHEMAS = {
  Error: {
    ...closedObject({
      msg: string('what went wrong, for a person'),
      data: { type: 'null' },
      error: { type: 'string', enum: ERROR_CODES, description: 'stable machine-readable code' },
    }),
    description: 'Every error answer: the envelope with `data: null` and an `error` code.',
  },
  Banner: closedObject({ name: { const: 'gatehouse' }, version: string('gatehouse version') }),
  LoginResult: closedObject({
    auth_token: { ...TOKEN, description: 'send as `Authorization: Bearer <auth_token>`' },
    token_type: { const: 'Bearer' },
    expires_in: { type: 'integer', minimum: 1, description: 'lifetime in seconds (TOKEN_TTL)' },
    expires_at: string('when the token expires', { format: 'date-time' }),
  }),
  Profile: closedObject({
    username: USERNAME,
    first_name: { ...nullableString('as registered, or null'), examples: ['Alice'] },
    last_name: { ...nullableString('as registered, or null'), examples: ['Liddell'] },
  }),
  Session: closedObject({
    jti: JTI,
    issued_at: string('login time', { format: 'date-time' }),
    expires_at: string('token expiry', { format: 'date-time' }),
    user_agent: nullableString('User-Agent of the login (first 256 characters)'),
    address: nullableString('client address of the login (from X-Forwarded-For with TRUST_PROXY)'),
    current: { type: 'boolean', description: 'whether this is the session of the token making the request' },
  }),
  Revoked: closedObject({ revoked: { type: 'integer', minimum: 0, description: 'how many sessions ended' } }),
  Introspection: {
    description: 'RFC 7662 §2.2: the claims of a live token, or only `active: false`.',
    oneOf: [
      closedObject({
        active: { const: true },
        sub: USERNAME,
        username: USERNAME,
        exp: SECONDS,
        iat: SECONDS,
        jti: JTI,
        token_type: { const: 'Bearer' },
      }),
      closedObject({ active: { const: false } }),
    ],
  },
  Registration: {
    type: 'object',
    required: ['username', 'password'],
    properties: {
      username: USERNAME,
      password: NEW_PASSWORD,
      first_name: { ...NAME, examples: ['Alice'] },
      last_name: { ...NAME, examples: ['Liddell'] },
    },
  },
  PasswordChange: {
    type: 'object',
    required: ['current_password', 'new_password'],
    properties: {
      current_password: string('the password now', { format: 'password', examples: ['correct horse battery'] }),
      new_password: {
        ...NEW_PASSWORD,
        description: 'follows the rules of /register/; must differ from the current one',
        examples: ['a brand new passphrase'],
      },
    },
  },
  AccountDeletion: {
    type: 'object',
    required: ['password'],
    properties: { password: string('the current password', { format: 'password', examples: ['correct horse battery'] }) },
  },
  TokenParameter: {
    type: 'object',
    required: ['token'],
    properties: {
      token: TOKEN,
      token_type_hint: string('accepted and ignored: gatehouse has one kind of token (RFC 7662 §2.1)'),
    },
  },
} satisfies Record<string, Schema>;
