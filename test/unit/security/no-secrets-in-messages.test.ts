import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { EmbeddedServer } from '../../../lib/broker/embedded-server.js';
import type { BrokerLogger } from '../../../lib/broker/broker-config.js';
import { IggyClient } from '../../../lib/client/index.js';
import { resolveConnectorConfig } from '../../../lib/connectors/connector-config.js';
import { RemoteConnector } from '../../../lib/connectors/remote-connector.js';
import { configProblems } from '../../../lib/module/config/validate-iggy-config.js';

const SECRET = 'Sup3r-Secret-Value';

/** Every message of `error` and its causes, joined. */
function messages(error: unknown): string {
  const out: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) out.push(`${e.name}: ${e.message}`);
  return out.join('\n');
}

async function failure(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('no secret in a log line or an error message', () => {
  it('config validation names a bad password or token field without its value', () => {
    const problems = configProblems({
      remote: { password: 12345, token: ['x', SECRET] },
      embedded: { rootPassword: { value: SECRET } },
    }).join('\n');
    expect(problems).toMatch(/remote\.password must be .*not shown/);
    expect(problems).toMatch(/embedded\.rootPassword must be/);
    expect(problems).not.toContain('12345');
    expect(problems).not.toContain(SECRET);
  });

  it('client and connector failures carry the address, never the password', async () => {
    const clientError = await failure(async () => {
      const client = IggyClient.fromConnectionString(`iggy://iggy:${SECRET}@127.0.0.1:1`);
      try {
        await client.connect();
      } finally {
        await client.close();
      }
    });
    expect(messages(clientError)).toContain('127.0.0.1:1');
    expect(messages(clientError)).not.toContain(SECRET);
    const connectorError = await failure(() =>
      new RemoteConnector().connect(
        resolveConnectorConfig({
          mode: 'remote',
          remote: { addresses: ['127.0.0.1:1'], password: SECRET, reconnect: false, connectTimeoutMs: 500 },
        }),
      ),
    );
    expect(messages(connectorError)).not.toContain(SECRET);
  });

  it('the broker logs failed logins and the root password change without the secrets', async () => {
    const lines: string[] = [];
    const log = (message: string): void => void lines.push(message);
    const logger: BrokerLogger = { debug: log, info: log, warn: log, error: log };
    const server = await EmbeddedServer.start({
      persistent: false,
      tcpPort: 0,
      httpPort: null,
      rootPassword: SECRET,
      logger,
      loginThrottle: { maxFailures: 1 },
    });
    const root = server.broker.openSession();
    const { token } = await root.createAccessToken({ name: 'ci-token', expiry: 0n });
    try {
      const address = `127.0.0.1:${server.tcpAddress.port}`;
      for (const credentials of [{ username: 'iggy', password: `${SECRET}-wrong` }, { token: `${token}x` }]) {
        const client = new IggyClient({ addresses: [address], credentials, reconnect: false });
        const error = await failure(() => client.connect());
        await client.close();
        expect(messages(error)).not.toContain(SECRET);
        expect(messages(error)).not.toContain(token);
      }
      expect(lines.join('\n')).toMatch(/too many failed logins from 127\.0\.0\.1/);
    } finally {
      await server.stop();
    }
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(lines.join('\n')).not.toContain(token);
  });
});
