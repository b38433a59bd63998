import { execFileSync } from 'node:child_process';
import { createRouter } from '../../src/app';
import { createOpenApiDocument } from '../../src/openapi/document';
import { documentOptions } from '../../src/openapi/options';
import type { Document, Operation, Parameter } from '../../src/openapi/types';
import { VERSION } from '../../src/version';
import { createTestApp } from '../helpers/app';
import { OpenApiChecker } from '../helpers/openapi-checker';
import { openApiVariants, routerOperations } from '../helpers/openapi-paths';

// Settings that change which routes exist or how they authenticate.
const SETUPS: [string, Record<string, string>][] = [
  ['the defaults', {}],
  ['METRICS_PORT set (no /metrics on the main port)', { METRICS_PORT: '0' }],
  ['AUTH_TOKEN_HEADER off', { AUTH_TOKEN_HEADER: '' }],
  ['AUTH_TOKEN_HEADER renamed', { AUTH_TOKEN_HEADER: 'X-Api-Token' }],
];

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

function operations(document: Document): [string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((m): [string, Operation] => [`${m.toUpperCase()} ${path}`, item[m]!]),
  );
}

/** Validates a document against the official OpenAPI schemas (the validator is ESM-only: a child process). */
function validateOpenApi(document: Document): { valid: boolean; errors?: unknown; version?: string } {
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator';
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(input));
    process.stdout.write(JSON.stringify({ ...result, version: validator.version }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    input: JSON.stringify(document),
    cwd: __dirname,
  });
  return JSON.parse(String(out));
}

describe.each(SETUPS)('the OpenAPI document with %s', (_, env) => {
  let document: Document;
  let router: ReturnType<typeof createRouter>;
  beforeAll(async () => {
    const t = await createTestApp('memory', env);
    document = createOpenApiDocument(documentOptions(t.deps.config));
    router = createRouter(t.deps);
    await t.close();
  });

  test('lists exactly the operations the router serves', () => {
    expect(operations(document).map(([name]) => name).sort()).toEqual(routerOperations(router));
  });

  test('is valid OpenAPI 3.1 by the official schema, with every $ref resolving', () => {
    const result = validateOpenApi(document);
    expect(result.errors).toBeUndefined();
    expect(result).toMatchObject({ valid: true, version: '3.1' });
  });

  test('every schema in it compiles as strict JSON Schema 2020-12', () => {
    expect(new OpenApiChecker(document, router).compileAll()).toBeGreaterThan(40);
  });

  test('every example in it (what /docs shows) matches its schema', () => {
    expect(new OpenApiChecker(document, router).exampleProblems()).toEqual([]);
  });

  test('operation ids are unique, and every operation has tags, a summary and a 500', () => {
    const ids = operations(document).map(([, op]) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [name, op] of operations(document)) {
      expect([name, op.tags.length > 0, op.summary.length > 0, op.responses['500']]).toEqual([
        name,
        true,
        true,
        { $ref: '#/components/responses/InternalError' },
      ]);
    }
  });

  test('path parameters are exactly those in the path template, all required', () => {
    for (const [name, op] of operations(document)) {
      const inTemplate = [...name.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? []) as Parameter[];
      expect([name, declared.filter((p) => p.in === 'path').map((p) => p.name).sort()]).toEqual([name, inTemplate]);
      for (const p of declared.filter((p) => p.in === 'path')) expect(p.required).toBe(true);
    }
  });

  test('every security requirement names a defined scheme', () => {
    const schemes = Object.keys(document.components.securitySchemes);
    for (const [, op] of operations(document)) {
      for (const alternative of op.security) for (const name of Object.keys(alternative)) expect(schemes).toContain(name);
    }
  });

  test('the alternative token header is an apiKey scheme of the configured name, or absent when off', () => {
    const header = env.AUTH_TOKEN_HEADER ?? 'X-Auth-Token';
    const scheme = document.components.securitySchemes.tokenHeader;
    if (header === '') {
      expect(scheme).toBeUndefined();
      expect(document.paths['/dashboard']!.get!.security).toEqual([{ bearerToken: [] }]);
    } else {
      expect(scheme).toMatchObject({ type: 'apiKey', in: 'header', name: header });
      expect(document.paths['/dashboard']!.get!.security).toEqual([{ bearerToken: [] }, { tokenHeader: [] }]);
    }
  });
});

describe('the OpenAPI document', () => {
  const document = createOpenApiDocument({ tokenHeader: 'X-Auth-Token', metrics: true });

  test('carries gatehouse\'s version and a relative server URL, so /docs works on any host and port', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.version).toBe(VERSION);
    expect(document.servers).toEqual([{ url: '/', description: 'this gatehouse' }]);
  });

  test('login uses HTTP Basic, the OAuth routes the client\'s Basic, bearer routes the bearer token', () => {
    expect(document.components.securitySchemes).toMatchObject({
      userPassword: { type: 'http', scheme: 'basic' },
      introspectionClient: { type: 'http', scheme: 'basic' },
      bearerToken: { type: 'http', scheme: 'bearer' },
    });
    expect(document.paths['/login']!.post!.security).toEqual([{ userPassword: [] }]);
    expect(document.paths['/oauth2/introspect']!.post!.security).toEqual([{ introspectionClient: [] }]);
    expect(document.paths['/register']!.post!.security).toEqual([]);
  });

  test('register takes multipart (the tutorial\'s form-data) first, then urlencoded and JSON', () => {
    expect(Object.keys(document.paths['/register']!.post!.requestBody!.content)).toEqual([
      'multipart/form-data',
      'application/x-www-form-urlencoded',
      'application/json',
    ]);
    expect(Object.keys(document.paths['/oauth2/revoke']!.post!.requestBody!.content)[0]).toBe('application/x-www-form-urlencoded');
  });

  test('401s carry WWW-Authenticate and 503s Retry-After', () => {
    expect(document.components.responses.MissingOrInvalidToken.headers).toHaveProperty('WWW-Authenticate');
    expect(document.paths['/login']!.post!.responses['401']).toMatchObject({ headers: { 'WWW-Authenticate': expect.anything() } });
    expect(document.components.responses.ServiceUnavailable.headers).toHaveProperty('Retry-After');
    expect(document.components.responses.MethodNotAllowed.headers).toHaveProperty('Allow');
  });
});

describe('router paths as OpenAPI paths', () => {
  test.each([
    ['/dashboard', ['/dashboard']],
    ['/sessions/:jti', ['/sessions/{jti}']],
    ['/auth/verify{/*rest}', ['/auth/verify', '/auth/verify/{rest}']],
    ['/openapi.json', ['/openapi.json']],
  ])('%s is %j', (routerPath, expected) => {
    expect(openApiVariants(routerPath).map((v) => v.path)).toEqual(expected);
  });
});
