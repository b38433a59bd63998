// Bundles gatehouse into one CommonJS file, dist/gatehouse.cjs: what `npm start` runs. The
// single executable (scripts/build-binary.mjs) embeds a bundle made by the same function.
// paseto is ESM-only; esbuild turns it into CommonJS here.
// The /docs page's files (Swagger UI, src/docs/assets.ts) are imported `with { type: 'text' }`,
// which esbuild embeds as strings with no option here: the bundle reads nothing from
// node_modules at run time.
import { build } from 'esbuild';
import { pathToFileURL } from 'node:url';

/**
 * Bundles src/main.ts into `outfile`. `plugins` lets the single executable's build replace the
 * native argon2 addon; everywhere else that addon stays a runtime require.
 */
export async function bundle({ outfile = 'dist/gatehouse.cjs', plugins = [], sourcemap = 'linked', external = ['@node-rs/argon2'] } = {}) {
  await build({
    entryPoints: ['src/main.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap,
    // The argon2 addon is a native .node file: by default it stays a runtime require.
    external,
    plugins,
    logLevel: 'warning',
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await bundle();
