import { describe, it } from '@jest/globals';
import { parseAddress } from '../../lib/client/index.js';
import { runInteropScenario } from './interop-scenario.js';

/**
 * The interop scenario against a real Iggy server 0.7: set IGGY_SERVER_ADDR=host:port (and
 * IGGY_SERVER_USERNAME / IGGY_SERVER_PASSWORD, default iggy / iggy). Skipped when unset.
 */
const address = process.env.IGGY_SERVER_ADDR;

if (!address) {
  console.warn(
    'test/interop/real-server.test.ts: IGGY_SERVER_ADDR is not set, skipping the real-server interop scenario',
  );
  describe.skip('interop scenario: real Iggy server (set IGGY_SERVER_ADDR=host:port)', () => {
    it('needs IGGY_SERVER_ADDR', () => undefined);
  });
} else {
  const { host, port } = parseAddress(address);
  runInteropScenario(`real server ${address}`, () => ({
    host,
    port,
    username: process.env.IGGY_SERVER_USERNAME ?? 'iggy',
    password: process.env.IGGY_SERVER_PASSWORD ?? 'iggy',
  }));
}
