// The single executable's entry point (scripts/build-binary.mjs). It runs the bundled server,
// embedded as the asset gatehouse.cjs, with the V8 code cache embedded as gatehouse.cache.
//
// Why not the SEA's own `useCodeCache`: that cache is made by compiling the script without
// running it, and V8 compiles lazily, so it holds little more than the top level; every bundled
// module's function was still compiled at each start. gatehouse.cache is made after a real start
// (the build runs the executable once, up to its first /readyz, then stops it), so it holds the
// functions a start runs: measured 316 against 349 ms launch to ready for the same bundle.
//
// A cache that does not fit this node and its V8 flags is rejected by V8 and the script compiles
// as it would without one; the build checks that a start of the finished executable takes it.
'use strict';
const { getRawAsset } = require('node:sea');
const { Script } = require('node:vm');
const { wrap } = require('node:module');

const cachedData = (() => {
  try {
    return Buffer.from(getRawAsset('gatehouse.cache'));
  } catch {
    return undefined; // the build's first pass, which makes the cache
  }
})();
// The bundle is ASCII (esbuild's charset: 'ascii'; build-binary.mjs checks it), so decoding it as
// latin1 gives the same text, without UTF-8 decoding 3.5 MB at every start.
const source = Buffer.from(getRawAsset('gatehouse.cjs')).toString('latin1');
const script = new Script(wrap(source), { filename: __filename, cachedData });

// Set only by the build, to check that a start of the finished executable takes the cache.
if (process.env.GATEHOUSE_BUILD_CHECK_CODE_CACHE) {
  process.stdout.write(`${cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'accepted'}\n`);
  process.exit(0);
}

// Set only by the build, for the run that makes the cache: written as the process exits.
const cacheOut = process.env.GATEHOUSE_BUILD_CODE_CACHE;
if (cacheOut) {
  process.once('exit', () => require('node:fs').writeFileSync(cacheOut, script.createCachedData()));
}

script.runInThisContext()(exports, require, module, __filename, __dirname);
