import type { SecurityRequirement, SecurityScheme } from './types';

/**
 * components.securitySchemes. `tokenHeader` (the bare token in AUTH_TOKEN_HEADER) exists only
 * when that setting is not empty.
 */
export function securitySchemes(tokenHeader: string): Record<string, SecurityScheme> {
  const schemes: Record<string, SecurityScheme> = {
    userPassword: {
      type: 'http',
      scheme: 'basic',
      description: 'A user\'s username and password, for `POST /login/` (RFC 7617, UTF-8).',
    },
    bearerToken: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'PASETO v3.local',
      description: 'The `auth_token` from `POST /login/`, as `Authorization: Bearer <token>` (RFC 6750).',
    },
    introspectionClient: {
      type: 'http',
      scheme: 'basic',
      description:
        'A service\'s client id and secret from INTROSPECTION_CLIENTS, for `/oauth2/introspect` and `/oauth2/revoke` (RFC 6749 §2.3.1).',
    },
  };
  if (tokenHeader !== '') {
    schemes.tokenHeader = {
      type: 'apiKey',
      in: 'header',
      name: tokenHeader,
      description: `The same token, bare, in \`${tokenHeader}\` (AUTH_TOKEN_HEADER), for apps whose own Authorization header is taken.`,
    };
  }
  return schemes;
}

export const NO_AUTH: SecurityRequirement = [];
export const USER_PASSWORD: SecurityRequirement = [{ userPassword: [] }];
export const CLIENT: SecurityRequirement = [{ introspectionClient: [] }];

/** Bearer routes: `Authorization: Bearer` or, when configured, the token header. */
export const bearer = (tokenHeader: string): SecurityRequirement =>
  tokenHeader === '' ? [{ bearerToken: [] }] : [{ bearerToken: [] }, { tokenHeader: [] }];
