// Bundles gatehouse into one CommonJS file, dist/gatehouse.cjs: what `npm start` runs. The
// single executable (scripts/build-binary.mjs) embeds a bundle made by the same function.
// paseto is ESM-only; esbuild turns it into CommonJS here.
// The /docs page's files (Swagger UI, src/docs/assets.ts) are embedded too, compressed (see
// embedCompressedText): the bundle reads nothing from node_modules at run time.
import { build } from 'esbuild';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * Swagger UI's files, imported `with { type: 'text' }`, go into the bundle gzip-compressed (as
 * base64) and are inflated when src/docs/assets.ts is first loaded, i.e. on the first request for
 * /docs. esbuild's own text loader would embed them as 1.9 MB of string literals, which every
 * start of gatehouse parses and keeps: measured here, +11 MB RSS and +15 to 25 ms to start,
 * against about +1 MB and +5 ms this way (and 1.3 MB less in the bundle and the executable). Tests (jest) import
 * the plain text; test/e2e/docs-bundle.test.ts checks the bundle serves the same bytes.
 */
const embedCompressedText = {
  name: 'embed-compressed-text',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]node_modules[\\/]swagger-ui-dist[\\/][^\\/]+\.(js|css)$/ }, async (args) => {
      if (args.with?.type !== 'text') return undefined;
      const packed = gzipSync(await readFile(args.path), { level: 9 }).toString('base64');
      return {
        contents: `module.exports = require('node:zlib').gunzipSync(Buffer.from(${JSON.stringify(packed)}, 'base64')).toString('utf8');`,
        loader: 'js',
      };
    });
  },
};

/**
 * The token worker's script goes into the bundle as text (src/tokens/token-worker-source.ts
 * builds the same script with esbuild when run from source): a worker thread runs it with
 * `eval`, which works the same from the bundle and from the single executable.
 */
const embedTokenWorker = {
  name: 'embed-token-worker',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]src[\\/]tokens[\\/]token-worker-source\.ts$/ }, async () => {
      const result = await build({
        entryPoints: ['src/tokens/token-worker-main.ts'],
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        write: false,
        ...COMPACT,
      });
      const text = result.outputFiles[0].text;
      return { contents: `exports.tokenWorkerSource = () => ${JSON.stringify(text)};`, loader: 'js' };
    });
  },
};

/**
 * Modules that load on their first call instead of with the modules that require them at their
 * top level, since a start of gatehouse calls none of them before its first answer. Each stand-in
 * passes every call (and table) through to the real module, so what a call returns is unchanged.
 * - `mime-types` (required by Koa, `type-is` and `accepts`) builds its tables from all of
 *   `mime-db` (about 2,500 types): about 12 ms of each start. JSON bodies set their own
 *   Content-Type (src/http/json-body.ts); the first lookup is a request body's type.
 * - `destroy` (required by Koa, called when a streamed body is replaced) and `inflation`
 *   (required by the body parser, called for each request body) load `node:zlib`, to recognise
 *   and to undo compression: about 5 ms. The first request with a body loads it.
 */
const LAZY_MODULES = {
  'mime-types': `module.exports = {
  charset: (type) => load().charset(type),
  contentType: (type) => load().contentType(type),
  extension: (type) => load().extension(type),
  lookup: (path) => load().lookup(path),
  get charsets() { return load().charsets; },
  get types() { return load().types; },
  get extensions() { return load().extensions; },
};`,
  destroy: 'module.exports = function destroy(stream, suppress) { return load()(stream, suppress); };',
  inflation: 'module.exports = function inflate(stream, options) { return load()(stream, options); };',
};

const lazyModules = {
  name: 'lazy-modules',
  setup(esbuild) {
    const names = Object.keys(LAZY_MODULES).join('|');
    // One small module per name and importing directory (relative, so that no build path lands in the bundle).
    esbuild.onResolve({ filter: new RegExp(`^(${names})$`) }, (args) => ({
      path: `${args.path}:${relative(process.cwd(), args.resolveDir)}`,
      namespace: 'lazy-module',
    }));
    esbuild.onLoad({ filter: /.*/, namespace: 'lazy-module' }, (args) => {
      const [name, from] = args.path.split(':');
      const dir = resolve(from);
      const real = createRequire(join(dir, 'index.js')).resolve(name);
      return {
        resolveDir: dir,
        loader: 'js',
        contents: `let real;\nconst load = () => (real ??= require(${JSON.stringify(real)}));\n${LAZY_MODULES[name]}`,
      };
    });
  },
};

// No comments or layout; identifiers are not renamed, so stack traces stay readable (and the
// source map maps them back). V8 keeps every script's source in memory: unminified, the
// bundle was 4.8 MB, and a single non-ASCII character in one comment made V8 hold all of it
// as a two-byte string (7.9 MB of heap, measured in a heap snapshot). Not `keepNames`: it
// wraps functions in __name() calls, which measured slower on GET /dashboard/.
const COMPACT = { minifyWhitespace: true, minifySyntax: true, charset: 'ascii', legalComments: 'none', logLevel: 'warning' };

/**
 * Bundles src/main.ts into `outfile`. `plugins` lets the single executable's build replace the
 * native argon2 addon; everywhere else that addon stays a runtime require.
 */
export async function bundle({ outfile = 'dist/gatehouse.cjs', plugins = [], sourcemap = 'linked', external = ['@node-rs/argon2'] } = {}) {
  const { outputFiles } = await build({
    entryPoints: ['src/main.ts'],
    outfile,
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap,
    // The argon2 addon is a native .node file: by default it stays a runtime require.
    external,
    plugins: [embedCompressedText, embedTokenWorker, lazyModules, ...plugins],
    ...COMPACT,
  });
  // Each file written whole under another name, then renamed over the old one: a gatehouse
  // starting meanwhile (`npm start` while the tests run, say) reads the old file or the new one,
  // never half of one.
  for (const file of outputFiles) {
    await mkdir(dirname(file.path), { recursive: true });
    const partial = `${file.path}.${process.pid}.partial`;
    try {
      await writeFile(partial, file.contents);
      await rename(partial, file.path);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await bundle();
