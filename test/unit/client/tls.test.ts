import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IggyClient, IggyClientError } from '../../../lib/client/index.js';
import { CommandCode } from '../../../lib/protocol/codes/command-codes.js';
import { FakeIggyPeer } from '../../support/fake-iggy-peer.js';
import { hasOpenssl, selfSignedCert, type SelfSignedCert } from '../../support/tls-cert.js';

const opensslPresent = hasOpenssl();
if (!opensslPresent) console.warn('openssl CLI not found: TLS client tests skipped');

(opensslPresent ? describe : describe.skip)('IggyClient over TLS', () => {
  let material: SelfSignedCert;
  let peer: FakeIggyPeer;

  beforeAll(async () => {
    material = selfSignedCert();
    peer = await FakeIggyPeer.start({ tls: { key: material.key, cert: material.cert } });
  });

  afterAll(async () => {
    await peer.close();
    material.cleanup();
  });

  it('connects, logs in and pipelines requests when the CA is trusted', async () => {
    const client = new IggyClient({
      addresses: [`localhost:${peer.port}`],
      tls: { ca: material.cert },
      credentials: { username: 'iggy', password: 'iggy' },
    });
    try {
      await client.connect();
      await Promise.all([client.ping(), client.ping(), client.ping()]);
      expect(peer.requestsWith(CommandCode.Ping).length).toBeGreaterThanOrEqual(3);
    } finally {
      await client.close();
    }
  });

  it('checks the certificate against servername when connecting by IP', async () => {
    const client = new IggyClient({
      addresses: [peer.address],
      tls: { ca: material.cert, servername: 'localhost' },
    });
    try {
      await client.connect();
      await client.ping();
    } finally {
      await client.close();
    }
  });

  it('refuses an untrusted self-signed certificate with a Connection error', async () => {
    const client = new IggyClient({ addresses: [peer.address], tls: true });
    const err = await client.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IggyClientError);
    expect(err).toMatchObject({ kind: 'Connection' });
    expect(String((err as Error).message)).toMatch(/self[- ]signed/i);
    await client.close();
  });

  it('accepts it with rejectUnauthorized: false', async () => {
    const client = new IggyClient({ addresses: [peer.address], tls: { rejectUnauthorized: false } });
    try {
      await client.connect();
      await client.ping();
    } finally {
      await client.close();
    }
  });

  it('reads tls, tls_domain and tls_ca_file from a connection string', async () => {
    const url = `iggy://iggy:iggy@${peer.address}?tls=true&tls_domain=localhost&tls_ca_file=${encodeURIComponent(material.certPath)}`;
    const client = IggyClient.fromConnectionString(url);
    try {
      await client.connect();
      await client.ping();
    } finally {
      await client.close();
    }
  });
});
