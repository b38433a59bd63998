import { read } from 'read';

/** Thrown when no usable password could be read; the message is for the operator. */
export class PasswordInputError extends Error {
  override readonly name = 'PasswordInputError';
}

export interface PasswordSource {
  /** Where the password comes from: a terminal (prompted, not echoed) or a pipe / file. */
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Where prompts go (stderr, so that stdout stays clean for scripts). */
  output: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Piped input larger than this is refused rather than buffered (passwords are ≤ 128 chars). */
const MAX_PIPED_BYTES = 64 * 1024;

/**
 * Reads a new password. From a terminal: a prompt without echo, asked twice to catch typos.
 * Otherwise: all of standard input, less one final line break (what `echo` or a file adds),
 * so `printf %s "$PW" | gatehouse user add alice` and `gatehouse user add alice < pwfile` work.
 * The password is returned as read; the caller applies gatehouse's password rules.
 */
export async function readNewPassword({ input, output }: PasswordSource, username: string): Promise<string> {
  if (!input.isTTY) return readPiped(input);
  const prompt = async (text: string) => {
    const answer = await read({ prompt: text, silent: true, input, output, terminal: true });
    // The Enter key was not echoed either: end the prompt's line.
    output.write('\n');
    return answer;
  };
  const first = await prompt(`New password for ${username}:`).catch(canceled);
  const second = await prompt('Retype the new password:').catch(canceled);
  if (first !== second) throw new PasswordInputError('the passwords do not match');
  return first;
}

async function readPiped(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > MAX_PIPED_BYTES) throw new PasswordInputError(`standard input holds more than ${MAX_PIPED_BYTES} bytes`);
    chunks.push(bytes);
  }
  // Not fatal on bad UTF-8: U+FFFD is left where the bytes were invalid, and the password rules
  // refuse it with the same message /register gives.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function canceled(err: unknown): never {
  throw new PasswordInputError(`no password read (${err instanceof Error ? err.message : String(err)})`);
}
