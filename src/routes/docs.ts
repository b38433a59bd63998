import { createHash } from 'node:crypto';
import { DOCS_ASSETS, type DocsAsset } from '../docs/assets';
import { DOCS_CSP, DOCS_PAGE } from '../docs/page';
import { HttpError } from '../http/errors';
import type { AppMiddleware } from '../http/state';

// The docs routes load scripts and styles: they replace the global "allow nothing" CSP.
const docsPolicy: AppMiddleware = function docsPolicy(ctx, next) {
  ctx.set('Content-Security-Policy', DOCS_CSP);
  return next();
};

/** GET /docs — the interactive API page (Swagger UI on /openapi.json). */
export function docsPageRoute(): AppMiddleware[] {
  return [
    docsPolicy,
    function serveDocsPage(ctx) {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = DOCS_PAGE;
    },
  ];
}

/**
 * GET /docs/:asset — the page's files, from the bundle. They change only with gatehouse's
 * version, so browsers may keep them and revalidate (ETag, 304) instead of the global no-store.
 */
export function docsAssetRoute(): AppMiddleware[] {
  const etags = new Map<DocsAsset, string>();
  const etagOf = (asset: DocsAsset) => {
    let etag = etags.get(asset);
    if (etag === undefined) {
      etag = `"${createHash('sha256').update(asset.text).digest('base64url').slice(0, 27)}"`;
      etags.set(asset, etag);
    }
    return etag;
  };
  return [
    docsPolicy,
    function serveDocsAsset(ctx) {
      const name = String(ctx.params.asset);
      const asset: DocsAsset | undefined = Object.hasOwn(DOCS_ASSETS, name) ? DOCS_ASSETS[name as keyof typeof DOCS_ASSETS] : undefined;
      if (asset === undefined) throw new HttpError(404, 'not_found', `no docs file named ${name}`);
      ctx.set('Cache-Control', 'no-cache');
      ctx.remove('Pragma');
      ctx.etag = etagOf(asset);
      ctx.type = asset.type;
      ctx.body = asset.text;
      // RFC 9110 §13.1.2: unchanged since the copy the browser holds (Koa then sends no body).
      if (ctx.fresh) ctx.status = 304;
    },
  ];
}
