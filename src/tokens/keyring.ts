import { decodeLocalKey, localKeyId, type LocalKeyId } from './paserk';
import { hkdfExtract } from './v3-local';

/** One v3.local key: its PASERK id (sent in each token's footer as `kid`) and its HKDF PRK. */
export interface TokenKey {
  readonly id: LocalKeyId;
  /** HKDF-SHA384 extract of the 32 key bytes, all that encryption and decryption need. */
  readonly prk: Buffer;
}

/**
 * The configured token keys. The first one encrypts new tokens; every one decrypts tokens whose
 * footer names it, so a new key can be put first while tokens under the old one stay valid.
 */
export class Keyring {
  readonly current: TokenKey;
  readonly #byId: ReadonlyMap<string, TokenKey>;

  constructor(paserks: readonly string[]) {
    if (paserks.length === 0) throw new Error('a keyring needs at least one key');
    const keys = paserks.map((paserk) => ({ id: localKeyId(paserk), prk: hkdfExtract(decodeLocalKey(paserk)) }));
    this.current = keys[0]!;
    this.#byId = new Map(keys.map((key) => [key.id, key]));
  }

  /** The key with this id, or undefined when no configured key has it. */
  get(id: string): TokenKey | undefined {
    return this.#byId.get(id);
  }

  /** Every key, the current one first. */
  get keys(): TokenKey[] {
    return [...this.#byId.values()];
  }
}
