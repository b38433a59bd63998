import { loadConfig } from '../config/load';
import { createLogger } from '../log';
import { startServer, type RunningServer } from '../server';

/** `gatehouse serve`: run until SIGTERM or SIGINT, then shut down cleanly and exit 0. */
export async function serve(configFile: string | undefined): Promise<void> {
  const config = loadConfig({ file: configFile });
  const log = createLogger(config.LOG_LEVEL, undefined, config.LOG_FORMAT);
  let running: RunningServer | undefined;
  let stopping = false;
  // Logs are written in batches: let the last ones (such as "stopped") out before exiting.
  const exit = (code: number) => {
    setTimeout(() => process.exit(code), 1000).unref();
    log.flush(() => process.exit(code));
  };
  const shutDown = (server: RunningServer) =>
    server.close().then(
      () => exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'stopping', signal }, `received ${signal}, shutting down`);
    if (running !== undefined) shutDown(running);
  };
  // Before listening: a supervisor may signal as soon as it reads the "started" line, and the
  // default action of SIGTERM would kill the process without a clean shutdown.
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  running = await startServer({ config, log });
  if (stopping) shutDown(running);
}
