import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EmbeddedServer } from '../../../lib/broker/embedded-server.js';
import type { ConnectorConfigInput } from '../../../lib/connectors/connector-config.js';
import { ConnectorError } from '../../../lib/connectors/connector-error.js';
import { PublishRequest } from '../../../lib/connectors/publish-request.js';
import { RemoteConnector } from '../../../lib/connectors/remote-connector.js';
import { hasOpenssl, selfSignedCert, type SelfSignedCert } from '../../support/tls-cert.js';

const withOpenssl = hasOpenssl();
if (!withOpenssl) console.warn('openssl CLI not found: RemoteConnector TLS tests skipped');

(withOpenssl ? describe : describe.skip)(
  'RemoteConnector over TLS (embedded broker with a TLS listener)',
  () => {
    let cert: SelfSignedCert;
    let otherCa: SelfSignedCert;
    let server: EmbeddedServer;

    beforeAll(async () => {
      cert = selfSignedCert();
      otherCa = selfSignedCert();
      server = await EmbeddedServer.start({
        persistent: false,
        tcpPort: 0,
        httpPort: null,
        rootPassword: 'iggy',
        tls: { cert: cert.certPath, key: cert.keyPath },
      });
    });

    afterAll(async () => {
      await server?.stop();
      cert?.cleanup();
      otherCa?.cleanup();
    });

    function config(caFile: string): ConnectorConfigInput {
      return {
        mode: 'remote',
        streamName: 'tls',
        topicName: 'domain',
        partitions: 2,
        remote: {
          addresses: [`127.0.0.1:${server.tcpAddress.port}`],
          tlsEnabled: true,
          tlsCaFile: caFile,
          tlsDomain: 'localhost',
          connectTimeoutMs: 2_000,
        },
      };
    }

    it('publishes and subscribes when it trusts the CA', async () => {
      expect(server.tcp!.tls).toBe(true);
      const remote = new RemoteConnector();
      await remote.connect(config(cert.certPath));
      try {
        expect(remote.isConnected()).toBe(true);
        await remote.ensureStream('tls');
        await remote.ensureTopic('tls', { name: 'domain', partitions: 2 });
        const subscriber = await remote.subscribeGroup('tls', 'domain', 'over-tls', { pollIntervalMs: 5 });
        const ids = [randomUUID(), randomUUID()];
        await remote.publishBatch(
          ids.map((id, i) => PublishRequest.new('tls', 'domain', 'tenant', Buffer.from(`hello ${i}`), id)),
        );
        const first = await subscriber.recv();
        const second = await subscriber.recv();
        expect([first?.payload.toString(), second?.payload.toString()]).toEqual(['hello 0', 'hello 1']);
        expect([first?.offset, second?.offset]).toEqual([0n, 1n]);
        await subscriber.commit(second!);
        const lag = await remote.consumerLag('tls', 'domain', { kind: 'group', name: 'over-tls' });
        expect(lag.find((p) => p.partition === second!.partition)).toMatchObject({
          storedOffset: 1n,
          lag: 0n,
        });
        await subscriber.close();
      } finally {
        await remote.shutdown();
      }
    });

    it.each([
      [
        'a CA that did not sign the certificate',
        () => config(otherCa.certPath),
        /self[- ]signed|certificate/i,
      ],
      [
        'a tlsDomain the certificate does not name',
        () => {
          const given = config(cert.certPath);
          return { ...given, remote: { ...given.remote, tlsDomain: 'other.example' } };
        },
        /other\.example/,
      ],
    ])('fails connect with a ConnectorError of kind Connection given %s', async (_, given, why) => {
      const remote = new RemoteConnector();
      try {
        const error = await remote.connect(given()).catch((err: unknown) => err);
        expect(error).toBeInstanceOf(ConnectorError);
        expect(error).toMatchObject({ kind: 'Connection' });
        expect(String((error as Error).message)).toMatch(why);
        expect(remote.isConnected()).toBe(false);
      } finally {
        await remote.shutdown();
      }
    });
  },
);
