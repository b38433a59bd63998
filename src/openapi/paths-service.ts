import { DOCS_ASSET_NAMES, DOCS_ASSET_TYPES } from '../docs/asset-list';
import { DOCS_CSP } from '../docs/page';
import type { DocumentOptions } from './options';
import { errorResponse, json, response, responseRef } from './responses';
import { envelope } from './schemas';
import { NO_AUTH } from './security';
import type { Header, PathItem } from './types';

const CSP: Record<string, Header> = {
  'Content-Security-Policy': {
    description: 'The docs routes\' own policy: scripts, styles and requests to this origin only, no inline script.',
    required: true,
    schema: { type: 'string', const: DOCS_CSP },
  },
};

const ETAG: Header = { description: 'Strong validator of the file.', required: true, schema: { type: 'string', pattern: '^"[^"]+"$' } };

/** What running gatehouse needs: health, metrics, and this document with its docs page. */
export function servicePaths({ metrics }: DocumentOptions): Record<string, PathItem> {
  const tags = ['service'];
  const paths: Record<string, PathItem> = {
    '/healthz': {
      get: {
        operationId: 'liveness',
        summary: 'Liveness: the process answers',
        description: 'Touches nothing else; not logged.',
        tags,
        security: NO_AUTH,
        responses: { 200: response('Alive.', json(envelope('alive'))) },
      },
    },
    '/readyz': {
      get: {
        operationId: 'readiness',
        summary: 'Readiness: the store answers and gatehouse is not shutting down',
        description:
          'Not logged. Whatever puts acknowledged writes at risk (Redis durability settings, clock skew) is listed ' +
          'in `data.warnings`; with REDIS_DURABILITY=require such a store is a 503.',
        tags,
        security: NO_AUTH,
        responses: {
          200: response(
            'Ready.',
            json(
              envelope('ready', {
                oneOf: [
                  { type: 'null' },
                  {
                    type: 'object',
                    required: ['warnings'],
                    additionalProperties: false,
                    properties: { warnings: { type: 'array', items: { type: 'string' }, minItems: 1 } },
                  },
                ],
              }),
            ),
          ),
          503: responseRef('ServiceUnavailable'),
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        summary: 'This OpenAPI 3.1 document',
        tags,
        security: NO_AUTH,
        responses: {
          200: response(
            'The document.',
            json({
              type: 'object',
              required: ['openapi', 'info', 'paths'],
              properties: { openapi: { const: '3.1.0' }, info: { type: 'object' }, paths: { type: 'object' } },
            }),
          ),
        },
      },
    },
    '/docs': {
      get: {
        operationId: 'docsPage',
        summary: 'The interactive API page (Swagger UI) for this document',
        tags,
        security: NO_AUTH,
        responses: {
          200: response('The page; it loads its files from /docs/{asset}.', { 'text/html': { schema: { type: 'string' } } }, CSP),
        },
      },
    },
    '/docs/{asset}': {
      get: {
        operationId: 'docsAsset',
        summary: 'A file of the docs page (served by gatehouse itself, no CDN)',
        tags,
        security: NO_AUTH,
        parameters: [{ name: 'asset', in: 'path', required: true, schema: { type: 'string', enum: DOCS_ASSET_NAMES } }],
        responses: {
          200: response(
            'The file.',
            Object.fromEntries(
              [...new Set(Object.values(DOCS_ASSET_TYPES).map((type) => type.split(';')[0]!))].map((type) => [
                type,
                { schema: { type: 'string' } },
              ]),
            ),
            {
              ...CSP,
              ETag: ETAG,
              'Cache-Control': { description: 'Revalidate with If-None-Match.', required: true, schema: { type: 'string', const: 'no-cache' } },
            },
          ),
          304: response('Not modified since the ETag sent in If-None-Match.', undefined, {
            ETag: ETAG,
            'Cache-Control': { required: true, schema: { type: 'string', const: 'no-cache' } },
          }),
          404: errorResponse('No such file.', ['not_found'], {}, 'no docs file named swagger-ui.js'),
        },
      },
    },
  };
  if (metrics) {
    paths['/metrics'] = {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics',
        description: 'Text exposition format 0.0.4. With METRICS_PORT set, served only on that port (and absent here).',
        tags,
        security: NO_AUTH,
        responses: { 200: response('The metrics.', { 'text/plain': { schema: { type: 'string' } } }) },
      },
    };
  }
  return paths;
}
