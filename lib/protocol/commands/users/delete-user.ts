import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import type { Identifier } from '../../primitives/identifier.js';
import { emptyPayload, expectEmpty } from '../payload.js';
import { decodeUserIdRequest, encodeUserIdRequest } from './user.layout.js';

/** DeleteUser request: the user's identifier. */
export interface DeleteUserRequest {
  userId: Identifier;
}

/** DeleteUser (34): empty response. */
export const deleteUserCodec: CommandCodec<DeleteUserRequest, void> = {
  name: 'DeleteUser',
  code: CommandCode.DeleteUser,
  encodeRequest: encodeUserIdRequest,
  decodeRequest: (payload) => decodeUserIdRequest(payload, 'DeleteUser request'),
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'DeleteUser response'),
};
