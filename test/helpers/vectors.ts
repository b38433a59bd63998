import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The official PASETO v3 / PASERK k3 test vectors, shipped read-only beside the project at
 * ../shared/vectors/paseto (PASETO_VECTORS_DIR overrides). A missing copy fails the tests: the
 * token code is only trusted because these pass.
 */
const candidates = [
  process.env.PASETO_VECTORS_DIR,
  join(__dirname, '../../../shared/vectors/paseto'),
  '/work/shared/vectors/paseto',
].filter((dir): dir is string => dir !== undefined && dir !== '');

export const VECTORS_DIR = candidates.find((dir) => existsSync(join(dir, 'v3.json')));

export interface VectorFile<T> {
  name: string;
  tests: T[];
}

export function loadVectors<T>(file: string): VectorFile<T> {
  if (VECTORS_DIR === undefined) {
    throw new Error(`PASETO test vectors not found; looked in ${candidates.join(', ')} (set PASETO_VECTORS_DIR)`);
  }
  return JSON.parse(readFileSync(join(VECTORS_DIR, file), 'utf8')) as VectorFile<T>;
}
