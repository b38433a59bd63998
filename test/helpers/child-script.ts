import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Each script's directory, removed once the test file that made it has run.
const directories: string[] = [];
afterAll(() => {
  for (const dir of directories.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Bundles `contents` (CommonJS; it may require src/ TypeScript files by absolute path) into a
 * script a plain `node` child can run, in a new temporary directory (removed after the test
 * file's tests), and returns its path. For tests that need a process of their own: a fresh V8,
 * or one whose exit is the thing tested.
 */
export function bundleChildScript(contents: string, name = 'child.cjs'): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-child-'));
  directories.push(dir);
  const script = join(dir, name);
  const { buildSync } = require('esbuild') as typeof import('esbuild');
  buildSync({
    stdin: { contents, resolveDir: __dirname, loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: script,
    logLevel: 'silent',
  });
  return script;
}
