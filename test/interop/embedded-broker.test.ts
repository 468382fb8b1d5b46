import { afterAll } from '@jest/globals';
import { EmbeddedServer } from '../../lib/broker/embedded-server.js';
import { runInteropScenario } from './interop-scenario.js';

/** The interop scenario against the embedded broker (in memory, ephemeral loopback ports). */
let server: EmbeddedServer | undefined;

afterAll(async () => {
  await server?.stop();
});

runInteropScenario('embedded broker', async () => {
  server = await EmbeddedServer.start({
    persistent: false,
    tcpPort: 0,
    httpPort: 0,
    rootUsername: 'iggy',
    rootPassword: 'iggy',
  });
  const { host, port } = server.tcpAddress;
  return { host, port, username: 'iggy', password: 'iggy' };
});
