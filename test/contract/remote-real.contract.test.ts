import { describe, it } from '@jest/globals';
import type { ConnectorConfigInput } from '../../lib/connectors/connector-config.js';
import { connectorContract } from './connector-contract.js';
import { remoteHarness } from './remote-error-cases.js';

/**
 * The RemoteConnector against a real Iggy server 0.7: set IGGY_SERVER_ADDR=host:port (and
 * IGGY_SERVER_USERNAME / IGGY_SERVER_PASSWORD, default iggy / iggy). Skipped when unset. The restart
 * case needs control over the server, so it is skipped here (the remote → embedded suite runs it).
 */
const address = process.env.IGGY_SERVER_ADDR;

if (!address) {
  console.warn(
    'test/contract/remote-real.contract.test.ts: IGGY_SERVER_ADDR is not set, skipping the real-server connector contract',
  );
  describe.skip('IggyConnector contract: RemoteConnector → real Iggy server (set IGGY_SERVER_ADDR=host:port)', () => {
    it('needs IGGY_SERVER_ADDR', () => undefined);
  });
} else {
  connectorContract(`RemoteConnector → real Iggy server ${address}`, { failover: true }, async () => {
    const config: ConnectorConfigInput = {
      mode: 'remote',
      remote: {
        addresses: [address],
        username: process.env.IGGY_SERVER_USERNAME ?? 'iggy',
        password: process.env.IGGY_SERVER_PASSWORD ?? 'iggy',
        requestTimeoutMs: 10_000,
        reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
      },
    };
    return remoteHarness(config);
  });
}

/**
 * The same over the server's HTTP API: set IGGY_SERVER_HTTP_ADDR=host:port (its `http.address`). Consumer
 * groups are left out: Iggy's HTTP API has no group membership.
 */
const httpAddress = process.env.IGGY_SERVER_HTTP_ADDR;

if (!httpAddress) {
  describe.skip('IggyConnector contract: RemoteConnector → real Iggy server over HTTP (set IGGY_SERVER_HTTP_ADDR)', () => {
    it('needs IGGY_SERVER_HTTP_ADDR', () => undefined);
  });
} else {
  connectorContract(
    `RemoteConnector → real Iggy server over HTTP ${httpAddress}`,
    { failover: true, groups: false },
    async () => {
      const config: ConnectorConfigInput = {
        mode: 'remote',
        remote: {
          protocol: 'http',
          addresses: [httpAddress],
          username: process.env.IGGY_SERVER_USERNAME ?? 'iggy',
          password: process.env.IGGY_SERVER_PASSWORD ?? 'iggy',
          requestTimeoutMs: 10_000,
        },
      };
      return remoteHarness(config);
    },
  );
}
