// Must stay first: node's built-ins, then the V8 flag, before the rest of gatehouse loads.
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
