import { configFromEnv } from './config';
import { startServer } from './app';
import { createDemoBoardIfEmpty } from './boards/demo';

/** Entry point: wiring only. */
async function main(): Promise<void> {
  const config = configFromEnv();
  const server = await startServer(config);
  const { log } = server;
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const origin = config.publicUrl ?? `http://${shown}:${server.port}`;
  log.info({ port: server.port, dataDir: config.dataDir }, 'Plenary is listening');
  process.stdout.write(`\nPlenary is running at ${origin}\n`);

  if (config.demoBoard) {
    const demo = await createDemoBoardIfEmpty(server, origin).catch((e: unknown) => {
      log.error({ err: e }, 'could not create the demo board');
      return null;
    });
    if (demo) {
      // Printed to the terminal of the person who started the server, not to the log.
      process.stdout.write(
        `\nA demo board "${demo.title}" was created:\n` +
          `  organizer:   ${demo.urls.organizer}\n` +
          `  participant: ${demo.urls.participant}\n` +
          `  viewer:      ${demo.urls.viewer}\n\n`,
      );
    }
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: flushing documents');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (e: unknown) => {
        log.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`Plenary failed to start: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
