import { join } from 'node:path';

/**
 * The token worker's script (token-worker-main.ts and what it imports, bundled into one
 * CommonJS text), run with `new Worker(source, { eval: true })`: the same way from the bundle and
 * from the single executable, which has no file to point a worker at.
 *
 * scripts/build.mjs replaces this module with the script built at build time. Run from source
 * (the tests), it is bundled here on first use with esbuild, a development dependency.
 */
let built: string | undefined;

export function tokenWorkerSource(): string {
  built ??= (require('esbuild') as typeof import('esbuild')).buildSync({
    entryPoints: [join(__dirname, 'token-worker-main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    logLevel: 'warning',
  }).outputFiles[0]!.text;
  return built;
}
