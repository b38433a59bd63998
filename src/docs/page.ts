/**
 * The interactive API page at /docs: Swagger UI on gatehouse's own /openapi.json. Everything
 * it loads comes from gatehouse (see assets.ts), and nothing is inline, so its CSP can allow
 * scripts and styles from 'self' only.
 */

/**
 * The page's Content-Security-Policy, replacing the global "allow nothing" on the docs routes.
 * img-src data: is for the icons swagger-ui.css inlines as data: URIs; connect-src 'self' for
 * "Try it out"; no inline script, no eval, nothing from another origin.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Paths from the root: the page answers at /docs and /docs/, which relative URLs would tell apart.
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>gatehouse API</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-initializer.js"></script>
</body>
</html>
`;

/**
 * Starts Swagger UI. validatorUrl null: by default it would send the document to a public
 * validator for a badge. "Try it out" is on from the start; credentials from the Authorize
 * dialog stay in the page only (not persisted).
 */
export const INITIALIZER = `'use strict';
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    validatorUrl: null,
    tryItOutEnabled: true,
    persistAuthorization: false,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
  });
});
`;
