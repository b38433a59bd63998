import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/load';
import { createPasswordHasher } from '../passwords/hasher';
import { NativeAddonError } from '../native/embedded-addon';
import { NAME, VERSION } from '../version';
import { AdminStoreError, openAdminStore } from './admin-store';
import { EXIT } from './exit-codes';
import { getStatus, healthcheck, InvalidUrlError, readinessUrl, serverUrl } from './healthcheck';
import { keygen } from './keygen';
import { PasswordInputError, readNewPassword } from './read-password';
import { ListenError, serve } from './serve';
import { USER_ACTIONS, userCommand, type UserAction } from './user';

export const USAGE = `Usage: ${NAME} [command] [options]

Commands:
  serve                        run the HTTP server (the default)
  keygen                       print a new k3.local token key and its k3.lid id
  healthcheck [--url URL]      exit 0 when the server answers ready (GET URL/readyz), else 1;
                               URL defaults to the configured HOST and PORT
  user add USERNAME [--first-name NAME] [--last-name NAME]
                               create a user (needs STORE=redis)
  user delete USERNAME         delete a user and end all of its sessions
  user passwd USERNAME         set a new password and end all of the user's sessions
                               (user commands read the password from standard input, or
                               prompt for it without echo on a terminal)

Options:
  --config FILE                read settings from a JSON file (environment variables still win)
  -h, --help                   show this help
  -v, --version                print the version

Exit codes: 0 done, 1 failed or not ready, 2 usage error, 3 user exists, 4 no such user.
`;

const OPTIONS = {
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  url: { type: 'string' },
  'first-name': { type: 'string' },
  'last-name': { type: 'string' },
} as const;

type OptionName = keyof typeof OPTIONS;

/** Per command: how many arguments it takes and which options besides the global ones. */
const COMMANDS: Record<string, { args: number; options: OptionName[] }> = {
  serve: { args: 0, options: [] },
  keygen: { args: 0, options: [] },
  healthcheck: { args: 0, options: ['url'] },
  user: { args: 2, options: ['first-name', 'last-name'] },
};
const GLOBAL_OPTIONS: OptionName[] = ['config', 'help', 'version'];

/** How long `healthcheck` waits for an answer, in milliseconds (container checks are frequent). */
const HEALTHCHECK_TIMEOUT_MS = 3_000;

/** Runs the command line; resolves to the exit code (serve keeps running and resolves 0). */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (err) {
    // parseArgs adds advice on `--` to its first sentence; the usage that follows says enough.
    return usageError((err as Error).message.replace(/\. .*/s, '').replace(/^Unknown/, 'unknown'));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (values.version) {
    process.stdout.write(`${NAME} ${VERSION}\n`);
    return EXIT.ok;
  }
  const [command = 'serve', ...args] = positionals;
  const spec = COMMANDS[command];
  if (spec === undefined) return usageError(`unknown command: ${command}`);
  const misplaced = (Object.keys(values) as OptionName[]).find(
    (name) => !GLOBAL_OPTIONS.includes(name) && !spec.options.includes(name),
  );
  if (misplaced !== undefined) return usageError(`option --${misplaced} does not apply to ${command}`);
  if (args.length > spec.args) return usageError(`unexpected argument: ${args[spec.args]}`);

  try {
    switch (command) {
      case 'serve':
        await serve(values.config);
        return EXIT.ok;
      case 'keygen':
        keygen();
        return EXIT.ok;
      case 'healthcheck':
        return await runHealthcheck(values.url, values.config);
      default:
        return await runUser(args, values);
    }
  } catch (err) {
    // Errors whose message says all: no stack trace.
    if (
      err instanceof ConfigError ||
      err instanceof AdminStoreError ||
      err instanceof PasswordInputError ||
      err instanceof NativeAddonError ||
      err instanceof ListenError
    ) {
      process.stderr.write(`${NAME}: ${err.message}\n`);
      return EXIT.failed;
    }
    throw err;
  }
}

async function runHealthcheck(url: string | undefined, configFile: string | undefined): Promise<number> {
  let target: URL;
  try {
    target = readinessUrl(url ?? serverUrl(loadConfig({ file: configFile })));
  } catch (err) {
    if (err instanceof InvalidUrlError) return usageError(`--url: ${err.message}`);
    throw err;
  }
  return healthcheck(target, {
    getStatus,
    timeoutMs: HEALTHCHECK_TIMEOUT_MS,
    out: process.stdout,
    err: process.stderr,
  });
}

async function runUser(
  [action, username]: string[],
  values: { config?: string | undefined; 'first-name'?: string | undefined; 'last-name'?: string | undefined },
): Promise<number> {
  if (action === undefined || !(USER_ACTIONS as readonly string[]).includes(action)) {
    return usageError(action === undefined ? 'user: missing action (add, delete or passwd)' : `unknown user action: ${action}`);
  }
  if (username === undefined) return usageError(`user ${action}: missing USERNAME`);
  if (action !== 'add' && (values['first-name'] !== undefined || values['last-name'] !== undefined)) {
    return usageError(`user ${action}: --first-name and --last-name apply to user add only`);
  }
  const config = loadConfig({ file: values.config });
  const store = await openAdminStore(config);
  try {
    return await userCommand(
      action as UserAction,
      username,
      { firstName: values['first-name'], lastName: values['last-name'] },
      {
        store,
        passwords: createPasswordHasher({
          memoryCost: config.ARGON2_MEMORY_KIB,
          timeCost: config.ARGON2_ITERATIONS,
          parallelism: config.ARGON2_PARALLELISM,
        }),
        clock: Date.now,
        readPassword: (name) => readNewPassword({ input: process.stdin, output: process.stderr }, name),
        out: process.stdout,
        err: process.stderr,
      },
    );
  } finally {
    await store.close();
  }
}

function usageError(message: string): number {
  process.stderr.write(`${NAME}: ${message}\n\n${USAGE}`);
  return EXIT.usage;
}
