// Builds dist/gatehouse, a single executable (Node SEA) for Linux x64 that needs no node_modules:
//   1. bundle src/ with scripts/build.mjs, the argon2 addon replaced by a loader of an embedded copy
//   2. node --experimental-sea-config: scripts/sea-main.cjs as the entry point, the bundle and
//      the addon as assets, in a blob
//   3. copy this node binary, strip its symbols (unless --no-strip), inject the blob with postject
//   4. run that executable once, up to its first 200 from /readyz, to make the V8 code cache of
//      a start (see scripts/sea-main.cjs); then steps 2 and 3 again with the cache as an asset
// Offline: it uses the local node and packages from node_modules only.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { inject } from 'postject';
import { bundle } from './build.mjs';
import { freePort, readyStatus } from './readiness.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// Node's documented fuse for SEA blobs (https://nodejs.org/api/single-executable-applications.html).
const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const ARGON2 = '@node-rs/argon2';
const ARGON2_ASSET = 'argon2.node';

const { values: options } = parseArgs({
  options: { 'no-strip': { type: 'boolean', default: false }, output: { type: 'string', default: 'dist/gatehouse' } },
});

if (process.platform !== 'linux' || process.arch !== 'x64') {
  throw new Error(`the single executable is built for Linux x64 only, not ${process.platform}-${process.arch}`);
}
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 12)) {
  throw new Error(`SEA assets need Node >= 20.12; this is ${process.version}`);
}

const work = join(ROOT, 'dist/sea');
mkdirSync(work, { recursive: true });
const output = resolve(ROOT, options.output);
const addon = require.resolve('@node-rs/argon2-linux-x64-gnu/argon2.linux-x64-gnu.node');

// Every name the package exports, so the lazy stand-in offers the same surface.
const argon2Names = Object.keys(require(ARGON2));
const loader = join(ROOT, 'src/native/embedded-addon.ts');

/** Resolves `@node-rs/argon2` to a stand-in that loads the embedded addon on first use. */
const embedArgon2 = {
  name: 'embed-argon2',
  setup(build) {
    build.onResolve({ filter: /^@node-rs\/argon2$/ }, () => ({ path: ARGON2, namespace: 'embedded-addon' }));
    build.onLoad({ filter: /.*/, namespace: 'embedded-addon' }, () => ({
      resolveDir: ROOT,
      loader: 'js',
      contents:
        `const { embeddedAddon } = require(${JSON.stringify(loader)});\n` +
        `module.exports = embeddedAddon(${JSON.stringify(ARGON2_ASSET)}, ${JSON.stringify(argon2Names)});\n`,
    }));
  },
};

const main = join(work, 'gatehouse.cjs');
await bundle({ outfile: main, plugins: [embedArgon2], external: [], sourcemap: false });
// scripts/sea-main.cjs reads the bundle as latin1, which is only the same text for ASCII.
if (readFileSync(main).some((byte) => byte > 0x7f)) throw new Error(`${main} is not ASCII; sea-main.cjs reads it as latin1`);

const entry = join(ROOT, 'scripts/sea-main.cjs');
const cache = join(work, 'gatehouse.cache');
const blob = join(work, 'sea-prep.blob');
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * Steps 2 and 3: a blob of the entry point and `assets`, injected into a copy of this node, which
 * replaces `output` once `check` (if any) passes on it.
 */
async function makeExecutable(assets, check) {
  const seaConfig = join(work, 'sea-config.json');
  writeFileSync(
    seaConfig,
    JSON.stringify({ main: entry, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, assets }, null, 2),
  );
  execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: ['ignore', 'ignore', 'inherit'] });
  const partial = `${output}.partial`;
  mkdirSync(dirname(output), { recursive: true });
  copyFileSync(process.execPath, partial);
  chmodSync(partial, 0o755);
  if (!options['no-strip']) execFileSync('strip', ['--strip-all', partial]);
  await inject(partial, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SENTINEL_FUSE });
  check?.(partial);
  renameSync(partial, output);
}

/** Step 5: a start of the finished executable must take its code cache (V8 rejects it silently). */
function checkCodeCacheTaken(executable) {
  const verdict = execFileSync(executable, [], { env: { GATEHOUSE_BUILD_CHECK_CODE_CACHE: '1' }, encoding: 'utf8' }).trim();
  if (verdict !== 'accepted') {
    rmSync(executable, { force: true });
    throw new Error(`the executable's V8 code cache was ${verdict} at start-up`);
  }
}

/** Step 4: starts the executable, waits for its first 200 from /readyz, stops it; it writes `cache` as it exits. */
async function makeCodeCache() {
  rmSync(cache, { force: true });
  const port = await freePort();
  const child = spawn(output, [], {
    // HEAP_GROWTH_PERCENT=0 and SEMI_SPACE_MB=0: V8 rejects a code cache made under other V8
    // flags than those of the start that reads it, and gatehouse sets some as it starts
    // (src/heap.ts); a start reads the cache before that, with node's own flags, so the cache is
    // made with those too.
    env: { PORT: String(port), LOG_LEVEL: 'warn', SHUTDOWN_DELAY: '0', HEAP_GROWTH_PERCENT: '0', SEMI_SPACE_MB: '0', GATEHOUSE_BUILD_CODE_CACHE: cache },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 30_000;
  while ((await readyStatus(port)) !== 200) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('the executable did not become ready while making its code cache');
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGTERM');
  const code = await exited;
  if (code !== 0 || !existsSync(cache)) throw new Error(`making the code cache failed (exit ${code})`);
}



const assets = { [ARGON2_ASSET]: addon, 'gatehouse.cjs': main };
await makeExecutable(assets);
await makeCodeCache();
await makeExecutable({ ...assets, 'gatehouse.cache': cache }, checkCodeCacheTaken);

const nodeSize = statSync(process.execPath).size;
process.stdout.write(
  `built ${options.output}: ${mb(statSync(output).size)} ` +
    `(node ${process.version} ${mb(nodeSize)}${options['no-strip'] ? ', not stripped' : `, stripped to ${mb(statSync(output).size - statSync(blob).size)}`}; ` +
    `blob ${mb(statSync(blob).size)}, of which code cache ${mb(statSync(cache).size)})\n`,
);
