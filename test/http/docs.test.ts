import { DOCS_ASSET_NAMES, DOCS_ASSET_TYPES } from '../../src/docs/asset-list';
import { DOCS_ASSET_TEXT } from '../../src/docs/assets';
import { DOCS_CSP } from '../../src/docs/page';
import { createOpenApiDocument } from '../../src/openapi/document';
import { documentOptions } from '../../src/openapi/options';
import { VERSION } from '../../src/version';
import { createTestApp, storeKinds, type TestApp } from '../helpers/app';

const GLOBAL_CSP = "default-src 'none'; frame-ancestors 'none'";

describe.each(storeKinds)('GET /openapi.json and the /docs page (%s store)', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp(kind);
  });
  afterEach(() => t.close());

  test('/openapi.json is the OpenAPI 3.1 document of this instance, with its version', async () => {
    const res = await t.request().get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(GLOBAL_CSP);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(createOpenApiDocument(documentOptions(t.deps.config)))));
    expect(res.body).toMatchObject({ openapi: '3.1.0', info: { title: 'gatehouse', version: VERSION } });
  });

  test('/openapi.json follows the settings: no /metrics when METRICS_PORT moves it, the token header by its name', async () => {
    const other = await createTestApp(kind, { METRICS_PORT: '0', AUTH_TOKEN_HEADER: 'X-Api-Token' });
    const { body } = await other.request().get('/openapi.json').expect(200);
    expect(Object.keys(body.paths)).not.toContain('/metrics');
    expect(body.components.securitySchemes.tokenHeader).toEqual(expect.objectContaining({ in: 'header', name: 'X-Api-Token' }));
    await other.close();
  });

  test.each(['/docs', '/docs/'])('%s is the Swagger UI page, with its own CSP and no inline script', async (path) => {
    const res = await t.request().get(path);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(DOCS_CSP);
    expect(res.headers['x-frame-options']).toBe('DENY');
    const scripts = [...res.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => [m[1], m[2]])).toEqual([
      [' src="/docs/swagger-ui-bundle.js"', ''],
      [' src="/docs/swagger-initializer.js"', ''],
    ]);
    expect(res.text).toContain('<link rel="stylesheet" href="/docs/swagger-ui.css">');
    expect(res.text).not.toMatch(/style=|<style|https?:\/\//);
  });

  test('the docs CSP loads only from this origin and runs no inline or eval\'d script', () => {
    expect(DOCS_CSP).toContain("default-src 'none'");
    expect(DOCS_CSP).toContain("script-src 'self'");
    expect(DOCS_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
  });

  test('only the docs routes get the docs CSP', async () => {
    for (const path of ['/', '/dashboard/', '/nowhere', '/openapi.json']) {
      expect([path, (await t.request().get(path)).headers['content-security-policy']]).toEqual([path, GLOBAL_CSP]);
    }
  });

  test.each(DOCS_ASSET_NAMES)('/docs/%s is served from the bundle, revalidated by ETag', async (name) => {
    const res = await t.request().get(`/docs/${name}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(DOCS_ASSET_TYPES[name]);
    expect(res.text).toBe(DOCS_ASSET_TEXT[name]);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers.pragma).toBeUndefined();
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);

    const again = await t.request().get(`/docs/${name}`).set('If-None-Match', res.headers.etag!);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    const changed = await t.request().get(`/docs/${name}`).set('If-None-Match', '"something else"');
    expect(changed.status).toBe(200);
    const head = await t.request().head(`/docs/${name}`);
    expect([head.status, head.headers['content-length']]).toEqual([200, String(Buffer.byteLength(DOCS_ASSET_TEXT[name]))]);
  });

  test('the assets are Swagger UI\'s own files and an initializer that sends nothing elsewhere', async () => {
    expect(DOCS_ASSET_TEXT['swagger-ui-bundle.js'].length).toBeGreaterThan(1_000_000);
    expect(DOCS_ASSET_TEXT['swagger-ui-bundle.js']).toContain('SwaggerUIBundle');
    expect(DOCS_ASSET_TEXT['swagger-ui.css']).toContain('.swagger-ui');
    const init = (await t.request().get('/docs/swagger-initializer.js')).text;
    expect(init).toContain("url: '/openapi.json'");
    // Swagger UI would otherwise send the document to a public validator for a badge.
    expect(init).toContain('validatorUrl: null');
  });

  test('an unknown docs file is a 404 in the envelope', async () => {
    const res = await t.request().get('/docs/../../etc/passwd');
    expect(res.status).toBe(404);
    const named = await t.request().get('/docs/constructor');
    expect(named.status).toBe(404);
    expect(named.body).toEqual({ msg: 'no docs file named constructor', data: null, error: 'not_found' });
  });
});
