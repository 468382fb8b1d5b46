import type { CommandCodec } from '../../../../../lib/protocol/command-codec.js';
import { createAccessTokenCodec } from '../../../../../lib/protocol/commands/access-tokens/create-access-token.js';
import { deleteAccessTokenCodec } from '../../../../../lib/protocol/commands/access-tokens/delete-access-token.js';
import { getAccessTokensCodec } from '../../../../../lib/protocol/commands/access-tokens/get-access-tokens.js';
import { getClientCodec } from '../../../../../lib/protocol/commands/clients/get-client.js';
import { getClientsCodec } from '../../../../../lib/protocol/commands/clients/get-clients.js';
import { getMeCodec } from '../../../../../lib/protocol/commands/clients/get-me.js';
import {
  loginUserCodec,
  type LoginUserRequest,
} from '../../../../../lib/protocol/commands/session/login-user.js';
import { loginWithAccessTokenCodec } from '../../../../../lib/protocol/commands/session/login-with-access-token.js';
import { logoutUserCodec } from '../../../../../lib/protocol/commands/session/logout-user.js';
import { getStatsCodec } from '../../../../../lib/protocol/commands/system/get-stats.js';
import { pingCodec } from '../../../../../lib/protocol/commands/system/ping.js';
import { changePasswordCodec } from '../../../../../lib/protocol/commands/users/change-password.js';
import { deleteUserCodec } from '../../../../../lib/protocol/commands/users/delete-user.js';
import { getUserCodec } from '../../../../../lib/protocol/commands/users/get-user.js';
import { getUsersCodec } from '../../../../../lib/protocol/commands/users/get-users.js';
import type { AdapterTable, VectorAdapter } from '../vector-adapter.js';

/** A command whose request carries nothing: the vector input is null. */
const noInput = (codec: CommandCodec<void, unknown>): VectorAdapter<void> => ({
  codec,
  toRequest: () => undefined,
});

/** A command whose vector input already has this project's request shape. */
const sameShape = <Req>(codec: CommandCodec<Req, unknown>): VectorAdapter<Req> => ({
  codec,
  toRequest: (input) => input as Req,
});

/** Vector `command` name → adapter. */
export const systemAdapters: AdapterTable = {
  PING: noInput(pingCodec),
  GET_STATS: noInput(getStatsCodec),
  GET_ME: noInput(getMeCodec),
  GET_CLIENTS: noInput(getClientsCodec),
  GET_CLIENT: sameShape(getClientCodec),
  LOGIN: sameShape<LoginUserRequest>(loginUserCodec),
  LOGOUT: noInput(logoutUserCodec),
  LOGIN_WITH_TOKEN: sameShape(loginWithAccessTokenCodec),
  CREATE_TOKEN: sameShape(createAccessTokenCodec),
  DELETE_TOKEN: sameShape(deleteAccessTokenCodec),
  GET_TOKENS: noInput(getAccessTokensCodec),
  GET_USERS: noInput(getUsersCodec),
  GET_USER: sameShape(getUserCodec),
  DELETE_USER: sameShape(deleteUserCodec),
  CHANGE_PASSWORD: sameShape(changePasswordCodec),
};
