import type { CredentialCheck, DashboardCredentials } from '../../dashboard/index.js';
import { isBrokerError } from '../broker-error.js';
import type { Broker } from '../broker.js';
import { Transport } from '../state/types.js';

/**
 * The dashboard's check of credentials against the broker's users: a session of its own logs in (with
 * the password, or the personal access token), must be allowed to read streams, and is closed again.
 */
export function brokerUserCheck(broker: Broker): CredentialCheck {
  return async (credentials: DashboardCredentials, client: string) => {
    const clientId = broker.connectClient(Transport.Http, client);
    try {
      try {
        if (credentials.kind === 'token') await broker.loginWithAccessToken(clientId, credentials.token);
        else await broker.loginUser(clientId, credentials.username, credentials.password);
      } catch (error) {
        if (isBrokerError(error)) return 'invalid';
        throw error;
      }
      try {
        broker.getStreams(clientId);
        return 'ok';
      } catch (error) {
        if (isBrokerError(error, 'Unauthorized')) return 'forbidden';
        throw error;
      }
    } finally {
      broker.disconnectClient(clientId);
    }
  };
}
