import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The official PASETO v3 / PASERK k3 test vectors, shipped read-only beside the project. */
export const VECTORS_DIR = join(__dirname, '../../../shared/vectors/paseto');

export interface VectorFile<T> {
  name: string;
  tests: T[];
}

export function loadVectors<T>(file: string): VectorFile<T> {
  return JSON.parse(readFileSync(join(VECTORS_DIR, file), 'utf8')) as VectorFile<T>;
}
