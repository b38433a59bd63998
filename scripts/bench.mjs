// `npm run bench`: builds gatehouse and the benchmark (bench/*.ts), then runs bench/run.ts.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
await build({
  entryPoints: ['bench/run.ts', 'bench/baseline-server.ts'],
  outdir: 'dist/bench',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['@node-rs/argon2'],
  logLevel: 'warning',
});
try {
  execFileSync(process.execPath, ['dist/bench/run.cjs'], { stdio: 'inherit' });
} catch (err) {
  process.exit(err.status ?? 1);
}
