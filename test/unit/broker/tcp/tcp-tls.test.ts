import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IggyClient } from '../../../../lib/client/index.js';
import { hasOpenssl, selfSignedCert, type SelfSignedCert } from '../../../support/tls-cert.js';
import { ROOT, startTcpFixture, type TcpFixture } from './tcp-kit.js';

const withOpenssl = hasOpenssl();
if (!withOpenssl) console.warn('openssl CLI not found: TLS broker tests skipped');

(withOpenssl ? describe : describe.skip)('BrokerTcpServer over TLS', () => {
  let cert: SelfSignedCert;
  let fx: TcpFixture;

  beforeAll(async () => {
    cert = selfSignedCert();
    // File paths for the certificate, PEM text for the key: both forms are accepted.
    fx = await startTcpFixture({ tls: { cert: cert.certPath, key: cert.key.toString() } });
  });

  afterAll(async () => {
    await fx?.stop();
    cert?.cleanup();
  });

  it('serves the protocol to a client that trusts the certificate', async () => {
    const client = await fx.client({
      addresses: [`localhost:${fx.port}`],
      tls: { ca: cert.cert },
      credentials: ROOT,
    });
    const stream = await client.createStream({ name: 'over-tls' });
    expect(await client.getStream({ streamId: stream.id })).toMatchObject({ name: 'over-tls' });
    expect(fx.server.tls).toBe(true);
  });

  it('refuses a client that does not trust the certificate, and keeps serving others', async () => {
    const untrusting = new IggyClient({
      addresses: [`localhost:${fx.port}`],
      tls: true,
      reconnect: false,
      connectTimeoutMs: 2_000,
    });
    await expect(untrusting.connect()).rejects.toMatchObject({ kind: 'Connection' });
    await untrusting.close();
    const client = await fx.client({
      addresses: [`127.0.0.1:${fx.port}`],
      tls: { ca: cert.cert },
      credentials: ROOT,
    });
    await client.ping();
  });
});
