import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { readIdentifier, writeIdentifier, type Identifier } from '../../primitives/identifier.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty } from '../payload.js';
import { readOptionalPermissions, writeOptionalPermissions, type Permissions } from './permissions.layout.js';

/**
 * UpdatePermissions request: user identifier · `u8 has permissions` [· `u32 length` · permissions].
 * No permissions means the user is left with none.
 */
export interface UpdatePermissionsRequest {
  userId: Identifier;
  permissions?: Permissions;
}

function encodeRequest(req: UpdatePermissionsRequest): Buffer {
  return encodePayload((w) => {
    writeIdentifier(w, req.userId);
    writeOptionalPermissions(w, req.permissions);
  }, 32);
}

function decodeRequest(payload: Buffer): UpdatePermissionsRequest {
  return decodePayload(payload, 'UpdatePermissions request', (r) => {
    const userId = readIdentifier(r, 'user id');
    const permissions = readOptionalPermissions(r);
    return permissions === undefined ? { userId } : { userId, permissions };
  });
}

/** UpdatePermissions (36): empty response. */
export const updatePermissionsCodec: CommandCodec<UpdatePermissionsRequest, void> = {
  name: 'UpdatePermissions',
  code: CommandCode.UpdatePermissions,
  encodeRequest,
  decodeRequest,
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'UpdatePermissions response'),
};
