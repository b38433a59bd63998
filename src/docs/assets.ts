import swaggerUiBundle from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'text' };
import swaggerUiCss from 'swagger-ui-dist/swagger-ui.css' with { type: 'text' };
import { INITIALIZER } from './page';

/** A static file of the docs page. */
export interface DocsAsset {
  /** Content-Type of the answer. */
  readonly type: string;
  readonly text: string;
}

/**
 * The files /docs loads, served by gatehouse itself at /docs/<name> (no CDN). Swagger UI's are
 * imported as text: esbuild embeds them in dist/gatehouse.cjs (and so in the single executable),
 * so nothing is read from node_modules at run time.
 */
export const DOCS_ASSETS = {
  'swagger-ui.css': { type: 'text/css; charset=utf-8', text: swaggerUiCss },
  'swagger-ui-bundle.js': { type: 'text/javascript; charset=utf-8', text: swaggerUiBundle },
  'swagger-initializer.js': { type: 'text/javascript; charset=utf-8', text: INITIALIZER },
} as const satisfies Record<string, DocsAsset>;

export type DocsAssetName = keyof typeof DOCS_ASSETS;

export const DOCS_ASSET_NAMES = Object.keys(DOCS_ASSETS) as DocsAssetName[];
