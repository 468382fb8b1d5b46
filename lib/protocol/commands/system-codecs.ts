import type { CommandCodec } from '../command-codec.js';
import { createAccessTokenCodec } from './access-tokens/create-access-token.js';
import { deleteAccessTokenCodec } from './access-tokens/delete-access-token.js';
import { getAccessTokensCodec } from './access-tokens/get-access-tokens.js';
import { getClientCodec } from './clients/get-client.js';
import { getClientsCodec } from './clients/get-clients.js';
import { getMeCodec } from './clients/get-me.js';
import { loginUserCodec } from './session/login-user.js';
import { loginWithAccessTokenCodec } from './session/login-with-access-token.js';
import { logoutUserCodec } from './session/logout-user.js';
import { getClusterMetadataCodec } from './system/get-cluster-metadata.js';
import { getSnapshotCodec } from './system/get-snapshot.js';
import { getStatsCodec } from './system/get-stats.js';
import { pingCodec } from './system/ping.js';
import { changePasswordCodec } from './users/change-password.js';
import { createUserCodec } from './users/create-user.js';
import { deleteUserCodec } from './users/delete-user.js';
import { getUserCodec } from './users/get-user.js';
import { getUsersCodec } from './users/get-users.js';
import { updatePermissionsCodec } from './users/update-permissions.js';
import { updateUserCodec } from './users/update-user.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const systemCodecs: readonly CommandCodec<any, any>[] = [
  pingCodec,
  getStatsCodec,
  getSnapshotCodec,
  getClusterMetadataCodec,
  getMeCodec,
  getClientCodec,
  getClientsCodec,
  getUserCodec,
  getUsersCodec,
  createUserCodec,
  deleteUserCodec,
  updateUserCodec,
  updatePermissionsCodec,
  changePasswordCodec,
  loginUserCodec,
  logoutUserCodec,
  getAccessTokensCodec,
  createAccessTokenCodec,
  deleteAccessTokenCodec,
  loginWithAccessTokenCodec,
];
