import {
  createAccessTokenCodec,
  deleteAccessTokenCodec,
  getAccessTokensCodec,
  type AccessTokenInfo,
  type CreateAccessTokenRequest,
  type DeleteAccessTokenRequest,
  type RawAccessToken,
} from '../protocol/commands/access-tokens/index.js';
import {
  createPartitionsCodec,
  deletePartitionsCodec,
  type CreatePartitionsRequest,
  type DeletePartitionsRequest,
} from '../protocol/commands/partitions/index.js';
import { deleteSegmentsCodec, type DeleteSegmentsRequest } from '../protocol/commands/segments/index.js';
import {
  createStreamCodec,
  deleteStreamCodec,
  getStreamCodec,
  getStreamsCodec,
  purgeStreamCodec,
  updateStreamCodec,
  type CreateStreamRequest,
  type Stream,
  type StreamDetails,
  type StreamTarget,
  type UpdateStreamRequest,
} from '../protocol/commands/streams/index.js';
import {
  CompressionAlgorithm,
  createTopicCodec,
  deleteTopicCodec,
  getTopicCodec,
  getTopicsCodec,
  purgeTopicCodec,
  updateTopicCodec,
  type Topic,
  type TopicDetails,
  type TopicTarget,
  type UpdateTopicRequest,
} from '../protocol/commands/topics/index.js';
import {
  changePasswordCodec,
  createUserCodec,
  deleteUserCodec,
  getUserCodec,
  getUsersCodec,
  updatePermissionsCodec,
  updateUserCodec,
  type ChangePasswordRequest,
  type CreateUserRequest,
  type DeleteUserRequest,
  type GetUserRequest,
  type UpdatePermissionsRequest,
  type UpdateUserRequest,
  type UserDetails,
  type UserInfo,
} from '../protocol/commands/users/index.js';
import type { CreateTopicInput } from '../protocol/iggy-session.js';
import { IggyClientCore } from './client-core.js';

/**
 * The catalog commands of `IggyClient`: streams, topics, partitions, segments, users and access tokens,
 * one method per command (documented on `IggySession`).
 */
export abstract class IggyCatalogCommands extends IggyClientCore {
  // ── streams ────────────────────────────────────────────────────────────────────────────────────

  getStream(request: StreamTarget): Promise<StreamDetails | null> {
    return this.request(getStreamCodec, request);
  }

  getStreams(): Promise<Stream[]> {
    return this.request(getStreamsCodec, undefined);
  }

  createStream(request: CreateStreamRequest): Promise<StreamDetails> {
    return this.request(createStreamCodec, request);
  }

  updateStream(request: UpdateStreamRequest): Promise<void> {
    return this.request(updateStreamCodec, request);
  }

  deleteStream(request: StreamTarget): Promise<void> {
    return this.request(deleteStreamCodec, request);
  }

  purgeStream(request: StreamTarget): Promise<void> {
    return this.request(purgeStreamCodec, request);
  }

  // ── topics, partitions, segments ───────────────────────────────────────────────────────────────

  getTopic(request: TopicTarget): Promise<TopicDetails | null> {
    return this.request(getTopicCodec, request);
  }

  getTopics(request: StreamTarget): Promise<Topic[]> {
    return this.request(getTopicsCodec, request);
  }

  createTopic(request: CreateTopicInput): Promise<TopicDetails> {
    return this.request(createTopicCodec, {
      compressionAlgorithm: CompressionAlgorithm.None,
      messageExpiry: 0n,
      maxTopicSize: 0n,
      replicationFactor: 1,
      ...request,
    });
  }

  updateTopic(request: UpdateTopicRequest): Promise<void> {
    return this.request(updateTopicCodec, request);
  }

  deleteTopic(request: TopicTarget): Promise<void> {
    return this.request(deleteTopicCodec, request);
  }

  purgeTopic(request: TopicTarget): Promise<void> {
    return this.request(purgeTopicCodec, request);
  }

  createPartitions(request: CreatePartitionsRequest): Promise<void> {
    return this.request(createPartitionsCodec, request);
  }

  deletePartitions(request: DeletePartitionsRequest): Promise<void> {
    return this.request(deletePartitionsCodec, request);
  }

  deleteSegments(request: DeleteSegmentsRequest): Promise<void> {
    return this.request(deleteSegmentsCodec, request);
  }

  // ── users ──────────────────────────────────────────────────────────────────────────────────────

  getUser(request: GetUserRequest): Promise<UserDetails | null> {
    return this.request(getUserCodec, request);
  }

  getUsers(): Promise<UserInfo[]> {
    return this.request(getUsersCodec, undefined);
  }

  createUser(request: CreateUserRequest): Promise<UserDetails> {
    return this.request(createUserCodec, request);
  }

  updateUser(request: UpdateUserRequest): Promise<void> {
    return this.request(updateUserCodec, request);
  }

  deleteUser(request: DeleteUserRequest): Promise<void> {
    return this.request(deleteUserCodec, request);
  }

  updatePermissions(request: UpdatePermissionsRequest): Promise<void> {
    return this.request(updatePermissionsCodec, request);
  }

  changePassword(request: ChangePasswordRequest): Promise<void> {
    return this.request(changePasswordCodec, request);
  }

  // ── personal access tokens ─────────────────────────────────────────────────────────────────────

  getAccessTokens(): Promise<AccessTokenInfo[]> {
    return this.request(getAccessTokensCodec, undefined);
  }

  createAccessToken(request: CreateAccessTokenRequest): Promise<RawAccessToken> {
    return this.request(createAccessTokenCodec, request);
  }

  deleteAccessToken(request: DeleteAccessTokenRequest): Promise<void> {
    return this.request(deleteAccessTokenCodec, request);
  }
}
