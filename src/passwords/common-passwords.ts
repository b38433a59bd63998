import list from './common-passwords.json';

// Lowercased at generation time (scripts/common-passwords.mjs records the source and licence).
const COMMON = new Set<string>(list.passwords);

/** How many passwords the bundled list holds. */
export const COMMON_PASSWORD_COUNT = COMMON.size;

/**
 * True when `password` is on the bundled list of the most common passwords, compared
 * case-insensitively ("Password1" is as guessable as "password1"). No network: the list ships
 * with gatehouse.
 */
export function isCommonPassword(password: string): boolean {
  return COMMON.has(password.toLowerCase());
}
