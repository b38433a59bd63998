// First: node's built-ins before any V8 flag is set (src/startup-builtins.ts), then the flag.
import './startup-builtins';
import './hold-young-generation';
import { main } from './cli/main';

main(process.argv.slice(2)).then(
  (code) => {
    // A failed command may leave a connection open (a store opened before the failure): exit.
    if (code !== 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`gatehouse: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
