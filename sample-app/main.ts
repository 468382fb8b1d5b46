import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createSampleApp } from './bootstrap.js';
import { sampleConfigFromEnv } from './sample-config.js';

/** `npm start`: the shop on the embedded broker (or `IGGY_MODE=remote`), on http://127.0.0.1:3100. */
async function main(): Promise<void> {
  const config = sampleConfigFromEnv();
  const { info } = await createSampleApp(config);
  const logger = new Logger('SampleApp');
  logger.log(`listening on http://${config.http.host}:${info.http} (Iggy ${info.mode})`);
  if (info.tcp !== null)
    logger.log(`embedded broker: TCP 127.0.0.1:${info.tcp}, HTTP ${info.brokerHttp ?? 'off'}`);
  // One line for scripts and tests to read where everything listens.
  process.stdout.write(`SAMPLE_APP_READY ${JSON.stringify(info)}\n`);
}

main().catch((error: unknown) => {
  new Logger('SampleApp').error(
    `cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(1);
});
