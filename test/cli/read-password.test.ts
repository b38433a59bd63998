import { PassThrough, Readable } from 'node:stream';
import { PasswordInputError, readNewPassword } from '../../src/cli/read-password';

const piped = (...chunks: (string | Buffer)[]) => Readable.from(chunks);

describe('reading a new password', () => {
  const output = new PassThrough();

  test.each([
    ['a password\n', 'a password'],
    ['a password\r\n', 'a password'],
    ['a password', 'a password'],
    ['  spaces kept  \n', '  spaces kept  '],
    ['two\n\n', 'two\n'],
    ['', ''],
  ])('from a pipe, %j gives %j (one final line break dropped, nothing else)', async (input, expected) => {
    expect(await readNewPassword({ input: piped(input), output }, 'alice')).toBe(expected);
  });

  test('from a pipe, in several chunks and multi-byte characters split across them', async () => {
    const bytes = Buffer.from('pässwörd ✓\n');
    expect(await readNewPassword({ input: piped(bytes.subarray(0, 2), bytes.subarray(2, 11), bytes.subarray(11)), output }, 'a')).toBe(
      'pässwörd ✓',
    );
  });

  test('invalid UTF-8 from a pipe becomes U+FFFD, which the password rules refuse', async () => {
    expect(await readNewPassword({ input: piped(Buffer.from([0x61, 0xff, 0x62])), output }, 'a')).toBe('a\uFFFDb');
  });

  test('more than 64 KiB on a pipe is refused, not buffered', async () => {
    const input = piped(...Array.from({ length: 65 }, () => Buffer.alloc(1024, 0x61)));
    await expect(readNewPassword({ input, output }, 'a')).rejects.toThrow(
      new PasswordInputError('standard input holds more than 65536 bytes'),
    );
  });

  function terminal(lines: string[]) {
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input });
    const screen = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    let shown = '';
    screen.on('data', (c) => (shown += String(c)));
    // Typed one line at a time, after each prompt is up.
    let next = 0;
    screen.on('data', (c) => {
      if (/password/i.test(String(c)) && next < lines.length) setImmediate(() => input.write(`${lines[next++]}\r`));
    });
    return { source: { input, output: screen }, shown: () => shown };
  }

  test('on a terminal: prompts twice on the output, never echoes what is typed', async () => {
    const tty = terminal(['secret typed here', 'secret typed here']);
    expect(await readNewPassword(tty.source, 'alice')).toBe('secret typed here');
    expect(tty.shown()).toContain('New password for alice:');
    expect(tty.shown()).toContain('Retype the new password:');
    expect(tty.shown()).not.toContain('secret');
  });

  test('on a terminal: two different entries are refused', async () => {
    const tty = terminal(['first entry', 'second entry']);
    await expect(readNewPassword(tty.source, 'alice')).rejects.toThrow(new PasswordInputError('the passwords do not match'));
  });
});
