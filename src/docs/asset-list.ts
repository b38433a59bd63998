/**
 * The files the /docs page loads from gatehouse (no CDN), at /docs/<name>, with their
 * Content-Type. Their text is in assets.ts, which is loaded only when one is first asked for.
 */
export const DOCS_ASSET_TYPES = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-initializer.js': 'text/javascript; charset=utf-8',
} as const;

export type DocsAssetName = keyof typeof DOCS_ASSET_TYPES;

export const DOCS_ASSET_NAMES = Object.keys(DOCS_ASSET_TYPES) as DocsAssetName[];

export const isDocsAsset = (name: string): name is DocsAssetName => Object.hasOwn(DOCS_ASSET_TYPES, name);
