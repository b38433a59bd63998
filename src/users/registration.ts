import { BadRequest } from '../http/errors';
import { isCommonPassword } from '../passwords/common-passwords';

/** A validated registration: username lowercased, password exactly as sent. */
export interface Registration {
  readonly username: string;
  readonly password: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
}

export const USERNAME_RULE = 'username must be 1 to 64 characters: letters, digits and . _ - @';
const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
const NAME_MAX = 100;
const CONTROL = /[\u0000-\u001f\u007f]/;
export const COMMON_PASSWORD = 'password is one of the most commonly used passwords; choose another';

/** Lowercases a username; null when it breaks the username rule. */
export function normalizeUsername(username: string): string | null {
  return USERNAME.test(username) ? username.toLowerCase() : null;
}

/**
 * Malformed Unicode: a lone surrogate (from a JSON \ud800 escape) or U+FFFD, which is what the
 * body decoders leave where the bytes were not valid UTF-8.
 */
function isMalformedText(value: string): boolean {
  return !value.isWellFormed() || value.includes('\uFFFD');
}

/** Problems with a password by gatehouse's rules, as a message for the client; null when fine. */
export function passwordProblem(password: string): string | null {
  if (isMalformedText(password)) return 'password is not valid Unicode text';
  if (CONTROL.test(password)) return 'password must not contain control characters';
  // Length in characters (code points), not UTF-16 units or bytes.
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `password must be at least ${PASSWORD_MIN} characters`;
  if (length > PASSWORD_MAX) return `password must be at most ${PASSWORD_MAX} characters`;
  // NIST SP 800-63B §3.1.1.2 and OWASP ASVS 5.0 §6.2.4: refuse passwords attackers try first.
  if (isCommonPassword(password)) return COMMON_PASSWORD;
  return null;
}

/** Reads and validates the tutorial's register fields; throws BadRequest naming the rule broken. */
export function readRegistration(body: Record<string, unknown>): Registration {
  const username = field(body, 'username');
  const password = field(body, 'password');
  if (username === null || username === '' || password === null || password === '') {
    throw new BadRequest('missing_fields', 'username and password are required fields');
  }
  const normalized = normalizeUsername(username);
  if (normalized === null) throw new BadRequest('invalid_username', USERNAME_RULE);
  const problem = passwordProblem(password);
  if (problem !== null) throw new BadRequest('invalid_password', problem);
  return { username: normalized, password, firstName: name(body, 'first_name'), lastName: name(body, 'last_name') };
}

/** A text field: its string, null when absent; 400 when it is not a single string. */
export function field(body: Record<string, unknown>, key: string): string | null {
  if (!Object.hasOwn(body, key)) return null;
  const value = body[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new BadRequest('invalid_field', `${key} must be a single text value`);
  return value;
}

function name(body: Record<string, unknown>, key: string): string | null {
  const value = field(body, key);
  if (value === null || value === '') return null;
  if (isMalformedText(value) || CONTROL.test(value) || [...value].length > NAME_MAX) {
    throw new BadRequest('invalid_field', `${key} must be at most ${NAME_MAX} characters of text without control characters`);
  }
  return value;
}
