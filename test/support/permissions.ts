import type { GlobalPermissions, Permissions } from '../../lib/protocol/commands/users/permissions.layout.js';

/** Global permissions with every right off but `granted`, and no per-stream rights. */
export function globalOnly(granted: Partial<GlobalPermissions>): Permissions {
  const global: GlobalPermissions = {
    manageServers: false,
    readServers: false,
    manageUsers: false,
    readUsers: false,
    manageStreams: false,
    readStreams: false,
    manageTopics: false,
    readTopics: false,
    pollMessages: false,
    sendMessages: false,
    ...granted,
  };
  return { global, streams: new Map() };
}
