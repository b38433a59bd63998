import type { AppDeps } from '../deps';
import type { AppMiddleware } from '../http/state';
import { createOpenApiDocument } from '../openapi/document';
import { documentOptions } from '../openapi/options';

/** GET /openapi.json — the OpenAPI 3.1 document of this instance's routes (built once, at start). */
export function openApiRoute({ config }: Pick<AppDeps, 'config'>): AppMiddleware[] {
  const text = JSON.stringify(createOpenApiDocument(documentOptions(config)));
  return [
    function serveOpenApi(ctx) {
      ctx.type = 'application/json';
      ctx.body = text;
    },
  ];
}
