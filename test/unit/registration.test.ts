import { HttpError } from '../../src/http/errors';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { COMMON_PASSWORD_COUNT, isCommonPassword } from '../../src/passwords/common-passwords';
import { COMMON_PASSWORD, normalizeUsername, passwordProblem, readRegistration } from '../../src/users/registration';

function rejection(body: Record<string, unknown>): { code: string; message: string } {
  try {
    readRegistration(body);
  } catch (err) {
    if (err instanceof HttpError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('registration rules', () => {
  test('usernames are lowercased and keep letters, digits and . _ - @', () => {
    expect(readRegistration({ username: 'Alice.B_c-d@Example', password: 'long enough' })).toEqual({
      username: 'alice.b_c-d@example',
      password: 'long enough',
      firstName: null,
      lastName: null,
    });
  });

  test.each([
    [{}, 'missing_fields'],
    [{ username: 'alice' }, 'missing_fields'],
    [{ password: 'long enough' }, 'missing_fields'],
    [{ username: '', password: 'long enough' }, 'missing_fields'],
    [{ username: 'alice', password: '' }, 'missing_fields'],
  ])('%j is refused: username and password are required fields', (body, code) => {
    expect(rejection(body)).toEqual({ code, message: 'username and password are required fields' });
  });

  test.each(['al ice', 'a/b', 'ünï', 'x'.repeat(65), 'a:b', '<script>'])('username %j breaks the username rule', (username) => {
    expect(rejection({ username, password: 'long enough' })).toEqual({
      code: 'invalid_username',
      message: 'username must be 1 to 64 characters: letters, digits and . _ - @',
    });
  });

  test.each([
    ['short', 'password must be at least 8 characters'],
    ['x'.repeat(129), 'password must be at most 128 characters'],
    ['abc\u0000defgh', 'password must not contain control characters'],
    ['abc\ud800defgh', 'password is not valid Unicode text'],
    ['abc\ufffddefgh', 'password is not valid Unicode text'],
  ])('password %j is refused: %s', (password, message) => {
    expect(rejection({ username: 'alice', password })).toEqual({ code: 'invalid_password', message });
  });

  test.each(['password', 'PASSWORD', 'PassWord', 'qwertyuiop', '1qaz2wsx', 'iloveyou', 'Sunshine'])(
    'the common password %j is refused whatever its case, saying why',
    (password) => {
      expect(rejection({ username: 'alice', password })).toEqual({ code: 'invalid_password', message: COMMON_PASSWORD });
      expect(COMMON_PASSWORD).toBe('password is one of the most commonly used passwords; choose another');
    },
  );

  test('the bundled list holds 5000 common passwords that the other rules would accept', () => {
    expect(COMMON_PASSWORD_COUNT).toBe(5000);
    expect(isCommonPassword('baseball')).toBe(true);
    // Shorter ones are refused by the length rule already, so the list does not carry them.
    expect(isCommonPassword('123456')).toBe(false);
    expect(isCommonPassword('correct horse battery staple')).toBe(false);
  });

  test('the bundled list is exactly what scripts/common-passwords.mjs makes from its recorded source', () => {
    // Exits non-zero when src/passwords/common-passwords.json differs from a fresh generation.
    expect(() => execFileSync(process.execPath, [join(__dirname, '../../scripts/common-passwords.mjs'), '--check'])).not.toThrow();
  });

  test('password length counts characters, not bytes or UTF-16 units, and the password is kept as sent', () => {
    const emoji = '🔑'.repeat(8); // 8 characters, 16 UTF-16 units, 32 bytes
    expect(readRegistration({ username: 'a', password: emoji }).password).toBe(emoji);
    expect(passwordProblem('🔑'.repeat(128))).toBeNull();
    expect(passwordProblem('🔑'.repeat(129))).toBe('password must be at most 128 characters');
    expect(readRegistration({ username: 'a', password: '  spaced  out  ' }).password).toBe('  spaced  out  ');
  });

  test.each([
    [{ username: ['a', 'b'], password: 'long enough' }, 'username must be a single text value'],
    [{ username: 'alice', password: 12345678 }, 'password must be a single text value'],
    [{ username: 'alice', password: { x: 1 } }, 'password must be a single text value'],
  ])('%j is refused: %s', (body, message) => {
    expect(rejection(body)).toEqual({ code: 'invalid_field', message });
  });

  test('names are optional, empty means none, and must be short text', () => {
    expect(readRegistration({ username: 'a', password: 'long enough', first_name: 'Zoë', last_name: '' })).toMatchObject({
      firstName: 'Zoë',
      lastName: null,
    });
    expect(rejection({ username: 'a', password: 'long enough', last_name: 'x'.repeat(101) }).code).toBe('invalid_field');
    expect(rejection({ username: 'a', password: 'long enough', first_name: 'a\nb' }).code).toBe('invalid_field');
  });

  test('keys inherited from Object.prototype are not fields', () => {
    const body = Object.create({ username: 'inherited', password: 'inherited-pass' }) as Record<string, unknown>;
    expect(rejection(body).code).toBe('missing_fields');
  });

  test('normalizeUsername returns null for names that cannot exist', () => {
    expect(normalizeUsername('ALICE')).toBe('alice');
    expect(normalizeUsername('al ice')).toBeNull();
  });
});
