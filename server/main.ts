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

  // Before anything is printed: a script that waits for our line may signal us at once.
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

  const demo = config.demoBoard
    ? await createDemoBoardIfEmpty(server, origin).catch((e: unknown) => {
        log.error({ err: e }, 'could not create the demo board');
        return null;
      })
    : null;
  // Printed for the person who started the server (not logged): the links carry tokens.
  // Printed last, once start-up work is done, so scripts can wait for this line.
  process.stdout.write(`\nPlenary is running at ${origin}\n`);
  if (demo) {
    process.stdout.write(
      `\nA demo board "${demo.title}" was created:\n` +
        `  organizer:   ${demo.urls.organizer}\n` +
        `  participant: ${demo.urls.participant}\n` +
        `  viewer:      ${demo.urls.viewer}\n\n`,
    );
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`Plenary failed to start: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
