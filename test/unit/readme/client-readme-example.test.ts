/*
 * The README's "The client" example, run against an in-memory embedded broker (the README connects to
 * 127.0.0.1:8090; here the port is the broker's ephemeral one). Keep it in step with the README.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EmbeddedServer } from '../../../lib/broker/index.js';
import { IggyClient } from '../../../lib/client/index.js';

describe('README: the client', () => {
  let server: EmbeddedServer;

  beforeAll(async () => {
    server = await EmbeddedServer.start({
      persistent: false,
      tcpPort: 0,
      httpPort: null,
      rootPassword: 'iggy',
    });
  });

  afterAll(async () => {
    await server.stop();
  });

  it('connects with a connection string and creates a stream', async () => {
    const client = IggyClient.fromConnectionString(`iggy://iggy:iggy@127.0.0.1:${server.tcpAddress.port}`);
    await client.connect();
    await client.createStream({ name: 'orders' });
    expect((await client.getStream({ streamId: 'orders' }))?.name).toBe('orders');
    await client.close();
  });
});
