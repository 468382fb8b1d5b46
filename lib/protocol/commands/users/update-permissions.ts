import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { BinaryReader } from '../../primitives/binary-reader.js';
import { BinaryWriter } from '../../primitives/binary-writer.js';
import { readIdentifier, writeIdentifier, type Identifier } from '../../primitives/identifier.js';
import { emptyPayload, expectEmpty } from '../system/payload-helpers.js';
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
  const w = new BinaryWriter(32);
  writeIdentifier(w, req.userId);
  writeOptionalPermissions(w, req.permissions);
  return w.finish();
}

function decodeRequest(payload: Buffer): UpdatePermissionsRequest {
  const r = new BinaryReader(payload, 'UpdatePermissions request');
  const userId = readIdentifier(r, 'user id');
  const permissions = readOptionalPermissions(r);
  r.finish();
  return permissions === undefined ? { userId } : { userId, permissions };
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
