import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IggyClient, IggyClientError } from '../../../lib/client/index.js';
import { CommandCode } from '../../../lib/protocol/codes/command-codes.js';
import { FakeIggyPeer } from '../../support/fake-iggy-peer.js';

/** A self-signed certificate for localhost / 127.0.0.1, made now with the openssl CLI. */
function selfSigned(dir: string): { key: Buffer; cert: Buffer; certPath: string } {
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyPath), cert: readFileSync(certPath), certPath };
}

let hasOpenssl = true;
try {
  execFileSync('openssl', ['version'], { stdio: 'ignore' });
} catch {
  hasOpenssl = false;
  console.warn('openssl CLI not found: TLS client tests skipped');
}

(hasOpenssl ? describe : describe.skip)('IggyClient over TLS', () => {
  let dir: string;
  let material: ReturnType<typeof selfSigned>;
  let peer: FakeIggyPeer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'iggy-tls-'));
    material = selfSigned(dir);
    peer = await FakeIggyPeer.start({ tls: { key: material.key, cert: material.cert } });
  });

  afterAll(async () => {
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
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
