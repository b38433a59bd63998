import { createHash } from 'node:crypto';
import { DOCS_ASSET_TYPES, isDocsAsset, type DocsAssetName } from '../docs/asset-list';
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

interface LoadedAsset {
  readonly text: string;
  readonly etag: string;
}

/**
 * GET /docs/:asset — the page's files, from the bundle. They change only with gatehouse's
 * version, so browsers may keep them and revalidate (ETag, 304) instead of the global no-store.
 */
export function docsAssetRoute(): AppMiddleware[] {
  let loaded: Promise<Record<DocsAssetName, LoadedAsset>> | undefined;
  // On first use: the texts are large, and most gatehouses never serve them (see docs/assets.ts).
  const load = () =>
    (loaded ??= import('../docs/assets').then(({ DOCS_ASSET_TEXT }) => {
      const etag = (text: string) => `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
      const entries = Object.entries(DOCS_ASSET_TEXT).map(([name, text]) => [name, { text, etag: etag(text) }]);
      return Object.fromEntries(entries) as Record<DocsAssetName, LoadedAsset>;
    }));
  return [
    docsPolicy,
    async function serveDocsAsset(ctx) {
      const name = String(ctx.params.asset);
      if (!isDocsAsset(name)) throw new HttpError(404, 'not_found', `no docs file named ${name}`);
      const asset = (await load())[name];
      ctx.set('Cache-Control', 'no-cache');
      ctx.remove('Pragma');
      ctx.etag = asset.etag;
      ctx.type = DOCS_ASSET_TYPES[name];
      ctx.body = asset.text;
      // RFC 9110 §13.1.2: unchanged since the copy the browser holds (Koa then sends no body).
      if (ctx.fresh) ctx.status = 304;
    },
  ];
}
