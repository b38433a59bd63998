// Bundles gatehouse into one CommonJS file, dist/gatehouse.cjs: what `npm start` runs and what
// the single executable embeds. paseto is ESM-only; esbuild turns it into CommonJS here.
// The /docs page's files (Swagger UI, src/docs/assets.ts) are imported `with { type: 'text' }`,
// which esbuild embeds as strings with no option here: the bundle reads nothing from
// node_modules at run time.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/gatehouse.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  // The argon2 addon is a native .node file: it stays a runtime require.
  external: ['@node-rs/argon2'],
  logLevel: 'warning',
});
