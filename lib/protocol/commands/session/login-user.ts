import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { IggyErrorCode } from '../../codes/error-codes.js';
import type { BinaryReader } from '../../primitives/binary-reader.js';
import { decodePayload, encodePayload, readName, writeName } from '../payload.js';
import { decodeIdentityInfo, encodeIdentityInfo, type IdentityInfo } from './identity.layout.js';

/**
 * LoginUser request: `u8 len` · username · `u8 len` · password · `u32 len` · client version
 * · `u32 len` · client context. An empty version or context is sent as length 0 and reads back absent;
 * older clients leave both length fields out entirely.
 */
export interface LoginUserRequest {
  username: string;
  password: string;
  version?: string;
  context?: string;
}

function encodeRequest(req: LoginUserRequest): Buffer {
  return encodePayload((w) => {
    writeName(w, req.username, 'username', IggyErrorCode.InvalidUsername);
    writeName(w, req.password, 'password', IggyErrorCode.InvalidPassword);
    w.str32(req.version ?? '').str32(req.context ?? '');
  }, 32);
}

/** A trailing optional u32-length string: absent when the payload has ended or the length is 0. */
function readOptionalTrailer(r: BinaryReader, what: string): string | undefined {
  if (r.remaining === 0) return undefined;
  const value = r.str32(what);
  return value.length === 0 ? undefined : value;
}

function decodeRequest(payload: Buffer): LoginUserRequest {
  return decodePayload(payload, 'LoginUser request', (r) => {
    const req: LoginUserRequest = {
      username: readName(r, 'username', IggyErrorCode.InvalidUsername),
      password: readName(r, 'password', IggyErrorCode.InvalidPassword),
    };
    const version = readOptionalTrailer(r, 'client version');
    const context = readOptionalTrailer(r, 'client context');
    if (version !== undefined) req.version = version;
    if (context !== undefined) req.context = context;
    return req;
  });
}

/** LoginUser (38): the response is the user id. */
export const loginUserCodec: CommandCodec<LoginUserRequest, IdentityInfo> = {
  name: 'LoginUser',
  code: CommandCode.LoginUser,
  encodeRequest,
  decodeRequest,
  encodeResponse: encodeIdentityInfo,
  decodeResponse: (payload) => decodeIdentityInfo(payload, 'LoginUser response'),
};
