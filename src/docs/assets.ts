import swaggerUiBundle from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'text' };
import swaggerUiCss from 'swagger-ui-dist/swagger-ui.css' with { type: 'text' };
import type { DocsAssetName } from './asset-list';
import { INITIALIZER } from './page';

/**
 * The text of the docs page's files. Swagger UI's are imported as text: the build embeds them in
 * dist/gatehouse.cjs (and so in the single executable), gzip-compressed (scripts/build.mjs), and
 * nothing is read from node_modules at run time. routes/docs.ts loads this module with import()
 * on the first request for a file, so a gatehouse whose docs nobody opens never inflates them.
 */
export const DOCS_ASSET_TEXT: Readonly<Record<DocsAssetName, string>> = {
  'swagger-ui.css': swaggerUiCss,
  'swagger-ui-bundle.js': swaggerUiBundle,
  'swagger-initializer.js': INITIALIZER,
};
