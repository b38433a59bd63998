import { localKeyId, generateLocalKey } from '../tokens/paserk';

/** `gatehouse keygen`: prints a new k3.local key (for TOKEN_KEYS) and its k3.lid id. */
export function keygen(out: NodeJS.WritableStream = process.stdout): void {
  const key = generateLocalKey();
  out.write(`${key}\n${localKeyId(key)}\n`);
}
