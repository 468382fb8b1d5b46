import { Type } from 'class-transformer';
import { IsOptional, ValidateNested } from 'class-validator';
import type { FsyncMode } from '../../broker/storage/partition-store.js';
import type { ConnectorMode } from '../../connectors/connector-config.js';
import type { SerializationFormat } from '../../events/serializer.js';
import type { TopicPolicy, TopicRole } from '../../topology/topology-config.js';
import {
  IsBool,
  IsFsyncMode,
  IsHostPortList,
  IsIggyName,
  IsIntIn,
  IsMillisOrInfinity,
  IsNonEmptyText,
  IsNumberIn,
  IsOneOf,
  IsPlainObject,
  IsPortOrNull,
} from './config-rules.js';
import { Limits } from '../../protocol/limits.js';

/*
 * The module config as classes, checked with class-validator at start-up (`validateIggyConfig`). Every
 * field is optional: what is left out gets its default. Field names match `IggyModuleOptions`.
 */

export class IggyEmbeddedConfig {
  @IsOptional() @IsNonEmptyText() dataDir?: string;
  @IsOptional() @IsPortOrNull() tcpPort?: number | null;
  @IsOptional() @IsPortOrNull() httpPort?: number | null;
  @IsOptional() @IsBool() persistent?: boolean;
  @IsOptional() @IsNonEmptyText() host?: string;
  @IsOptional() @IsNonEmptyText() httpHost?: string;
  @IsOptional() @IsFsyncMode() fsync?: FsyncMode;
  @IsOptional() @IsIggyName() rootUsername?: string;
  @IsOptional() @IsNonEmptyText() rootPassword?: string;
  @IsOptional() @IsBool() allowDefaultRootPassword?: boolean;
}

export class IggyRemoteConfig {
  @IsOptional() @IsHostPortList() addresses?: string[];
  /** `http`: the server's HTTP API, without consumer groups (so without `@IggyEventHandler` groups). */
  @IsOptional() @IsOneOf(['tcp', 'http']) protocol?: 'tcp' | 'http';
  @IsOptional() @IsIggyName() username?: string;
  @IsOptional() @IsNonEmptyText() password?: string;
  @IsOptional() @IsNonEmptyText() token?: string;
  @IsOptional() @IsBool() tlsEnabled?: boolean;
  @IsOptional() @IsNonEmptyText() tlsDomain?: string;
  @IsOptional() @IsNonEmptyText() tlsCaFile?: string;
  @IsOptional() @IsBool() tlsRejectUnauthorized?: boolean;
  @IsOptional() @IsIntIn(1) requestTimeoutMs?: number;
  /** How long requests wait for a lost connection before failing fast (`Infinity`: up to their timeout). */
  @IsOptional() @IsMillisOrInfinity() offlineTimeoutMs?: number;
}

/** Coalescing and the in-flight cap of the publish path (`PublishConfig`). */
export class IggyPublishConfig {
  @IsOptional() @IsIntIn(0, 60_000) lingerMs?: number;
  @IsOptional() @IsIntIn(1, 1_000_000) maxBatchMessages?: number;
  @IsOptional() @IsIntIn(1) maxBatchBytes?: number;
  @IsOptional() @IsIntIn(1) maxInFlightMessages?: number;
  @IsOptional() @IsIntIn(1) maxInFlightBytes?: number;
  @IsOptional() @IsIntIn(1) maxWaitingMessages?: number;
  @IsOptional() @IsIntIn(1) maxWaitingBytes?: number;
  @IsOptional() @IsIntIn(0) backpressureTimeoutMs?: number;
}

export class IggyRetryConfig {
  @IsOptional() @IsIntIn(1, 1000) attempts?: number;
  @IsOptional() @IsIntIn(0) initialDelayMs?: number;
  @IsOptional() @IsIntIn(0) maxDelayMs?: number;
  @IsOptional() @IsNumberIn(1, 100) multiplier?: number;
  @IsOptional() @IsNumberIn(0, 1) jitter?: number;
}

export class IggyDlqConfig {
  @IsOptional() @IsBool() enabled?: boolean;
  @IsOptional() @IsIggyName() topic?: string;
}

export class IggyHandlersConfig {
  @IsOptional() @IsIntIn(1, Limits.maxPartitions) concurrency?: number;
  @IsOptional() @IsBool() idempotency?: boolean;
  @IsOptional() @IsIntIn(1) idempotencyWindow?: number;
  @IsOptional() @IsIntIn(0) shutdownTimeoutMs?: number;
  /** A partition's handled offset is committed every this many messages... */
  @IsOptional() @IsIntIn(1, 1_000_000) commitEvery?: number;
  /** ...and at most this long after a message was handled. */
  @IsOptional() @IsIntIn(1, 3_600_000) commitIntervalMs?: number;
  /** Longest wait of a group's subscription after an empty poll. */
  @IsOptional() @IsIntIn(1, 60_000) pollIntervalMs?: number;
  /** Messages fetched per poll. */
  @IsOptional() @IsIntIn(1, 100_000) batchSize?: number;
}

export class IggyRequestReplyConfig {
  @IsOptional() @IsIggyName() replyTopic?: string;
  @IsOptional() @IsIntIn(1) timeoutMs?: number;
  @IsOptional() @IsIntIn(1, Limits.maxPartitions) partitions?: number;
}

export class IggyRetentionConfig {
  @IsOptional() @IsIntIn(0) domainMaxAgeDays?: number;
  @IsOptional() @IsIntIn(0) domainMaxSizeGb?: number;
  @IsOptional() @IsIntIn(0) systemMaxAgeDays?: number;
  @IsOptional() @IsIntIn(0) dlqMaxAgeDays?: number;
}

export class IggyTopologyConfig {
  @IsOptional() @IsBool() ensure?: boolean;
  @IsOptional() @IsIntIn(1, 255) replicationFactor?: number;
  @IsOptional() @IsIggyName() systemTopic?: string;
  @IsOptional()
  @ValidateNested()
  @Type(() => IggyRetentionConfig)
  retention?: IggyRetentionConfig;
  /** Checked when the topology is resolved (names, counts, bigints). */
  @IsOptional() @IsPlainObject() topics?: Partial<Record<TopicRole, Partial<TopicPolicy>>>;
}

/** The whole config (`IggyModuleOptions` without the connector provider). */
export class IggyConfig {
  @IsOptional() @IsOneOf(['embedded', 'remote']) mode?: ConnectorMode;
  @IsOptional() @IsOneOf(['json', 'msgpack']) serialization?: SerializationFormat;
  @IsOptional() @IsIggyName() streamName?: string;
  @IsOptional() @IsIggyName() topicName?: string;
  @IsOptional() @IsIntIn(1, Limits.maxPartitions) partitions?: number;
  @IsOptional() @IsIggyName() defaultTenantId?: string;
  @IsOptional() @IsBool() tracing?: boolean;
  @IsOptional() @IsIntIn(0) shutdownTimeoutMs?: number;

  @IsOptional() @ValidateNested() @Type(() => IggyEmbeddedConfig) embedded?: IggyEmbeddedConfig;
  @IsOptional() @ValidateNested() @Type(() => IggyRemoteConfig) remote?: IggyRemoteConfig;
  @IsOptional() @ValidateNested() @Type(() => IggyPublishConfig) publish?: IggyPublishConfig;
  @IsOptional() @ValidateNested() @Type(() => IggyRetryConfig) retry?: IggyRetryConfig;
  @IsOptional() @ValidateNested() @Type(() => IggyDlqConfig) dlq?: IggyDlqConfig;
  @IsOptional() @ValidateNested() @Type(() => IggyHandlersConfig) handlers?: IggyHandlersConfig;
  @IsOptional()
  @ValidateNested()
  @Type(() => IggyRequestReplyConfig)
  requestReply?: IggyRequestReplyConfig;
  @IsOptional() @ValidateNested() @Type(() => IggyTopologyConfig) topology?: IggyTopologyConfig;
}
