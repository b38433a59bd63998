import { VERSION } from '../version';
import type { DocumentOptions } from './options';
import { accountPaths } from './paths-account';
import { servicePaths } from './paths-service';
import { sidecarPaths } from './paths-sidecar';
import { tutorialPaths } from './paths-tutorial';
import { HEADERS, RESPONSES, responseRef } from './responses';
import { SCHEMAS } from './schemas';
import { securitySchemes } from './security';
import type { Document, HttpMethod, PathItem } from './types';

const DESCRIPTION = `A small, fast, trustworthy authentication service: users, logins and revocable bearer tokens.

**Try it here**: \`POST /register\` a user, then *Authorize* with **userPassword** (HTTP Basic) and \`POST /login\`,
then *Authorize* with **bearerToken** using the \`auth_token\` from the answer, and \`GET /dashboard\`.

Every answer is JSON \`{"msg": string, "data": ...}\`; errors add a stable \`"error"\` code (schema \`Error\`).
Every path also answers with a trailing slash (\`/register/\`, as in the tutorial), and every \`GET\` also
answers \`HEAD\`. \`OPTIONS\` on a listed path answers \`Allow\` (but on \`/auth/verify\`, where a 2xx must only mean a valid token, it is a 405);
another method is a 405 with \`Allow\`; a path not
listed here is a 404 (see the components' responses \`Options\`, \`MethodNotAllowed\`, \`NotFound\`).
Every answer carries \`X-Request-Id\` and security headers (\`Cache-Control: no-store\`, a CSP, \`nosniff\`).
Requests refused before any route sees them also get the envelope: 400 \`invalid_request\` (not valid HTTP/1.1),
408 \`request_timeout\` (not received in time), 431 \`headers_too_large\`, and 405 for \`CONNECT\`.`;

/** The OpenAPI 3.1 document of the routes createApp serves with these settings. */
export function createOpenApiDocument(options: DocumentOptions): Document {
  const paths: Record<string, PathItem> = {
    ...tutorialPaths(options),
    ...accountPaths(options),
    ...sidecarPaths(options),
    ...servicePaths(options),
  };
  // Any operation can fail unexpectedly: a generic 500 that reveals nothing.
  for (const item of Object.values(paths)) {
    for (const method of Object.keys(item) as HttpMethod[]) {
      const operation = item[method];
      if (operation !== undefined) operation.responses[500] = responseRef('InternalError');
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'gatehouse', version: VERSION, description: DESCRIPTION, license: { name: 'MIT', identifier: 'MIT' } },
    // Relative: resolved against where this document was fetched from, so /docs works on any host and port.
    servers: [{ url: '/', description: 'this gatehouse' }],
    tags: [
      { name: 'tutorial', description: 'The tutorial\'s routes: register, log in, who am I, log out.' },
      { name: 'account', description: 'My sessions, my password, my account.' },
      { name: 'sidecar', description: 'Forward auth for a reverse proxy (nginx auth_request, Traefik ForwardAuth).' },
      { name: 'oauth2', description: 'Introspection and revocation for other services (INTROSPECTION_CLIENTS).' },
      { name: 'service', description: 'Health, metrics, and this document.' },
    ],
    paths,
    components: {
      schemas: SCHEMAS,
      headers: HEADERS,
      responses: RESPONSES,
      securitySchemes: securitySchemes(options.tokenHeader),
    },
  };
}
