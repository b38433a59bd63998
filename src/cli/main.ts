import { parseArgs } from 'node:util';
import { ConfigError } from '../config/load';
import { NAME, VERSION } from '../version';
import { keygen } from './keygen';
import { serve } from './serve';

export const USAGE = `Usage: ${NAME} [command] [options]

Commands:
  serve              run the HTTP server (the default)
  keygen             print a new k3.local token key and its k3.lid id

Options:
  --config FILE      read settings from a JSON file (environment variables still win)
  -h, --help         show this help
  -v, --version      print the version
`;

/** Runs the command line; resolves to the exit code (serve keeps running and resolves 0). */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    return usageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${NAME} ${VERSION}\n`);
    return 0;
  }
  const [command = 'serve', ...rest] = positionals;
  if (rest.length > 0) return usageError(`unexpected argument: ${rest[0]}`);
  try {
    switch (command) {
      case 'serve':
        await serve(values.config);
        return 0;
      case 'keygen':
        keygen();
        return 0;
      default:
        return usageError(`unknown command: ${command}`);
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${NAME}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

function usageError(message: string): number {
  process.stderr.write(`${NAME}: ${message}\n\n${USAGE}`);
  return 2;
}
