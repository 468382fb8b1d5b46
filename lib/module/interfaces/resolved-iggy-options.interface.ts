import type { ConnectorConfig } from '../../connectors/connector-config.js';
import type { SerializationFormat } from '../../events/serializer.js';
import type { IggyMetricsOptions } from '../../observability/iggy-metrics.js';
import type { IggyOutboxOptions } from '../../outbox/nest/outbox-options.interface.js';
import type { TopologyConfigInput } from '../../topology/topology-config.js';
import type {
  ConnectorProvider,
  DlqOptions,
  HandlerOptions,
  RequestReplyOptions,
  RetryOptions,
} from './iggy-module-options.interface.js';

/**
 * What `IGGY_OPTIONS` holds: the validated `IggyModuleOptions` with every default filled in. It is an
 * `IggyModuleOptions` too (every optional part is present).
 */
export interface ResolvedIggyModuleOptions extends ConnectorConfig {
  serialization: SerializationFormat;
  retry: RetryOptions;
  dlq: DlqOptions;
  handlers: HandlerOptions;
  requestReply: RequestReplyOptions;
  topology: ResolvedTopologyOptions;
  defaultTenantId?: string;
  connector?: ConnectorProvider;
  /** As given (validated); the bus's serializer and target are filled in by `IGGY_OUTBOX_OPTIONS`. */
  outbox?: IggyOutboxOptions;
  /** `undefined` when metrics are off. */
  metrics?: IggyMetricsOptions;
  tracing: boolean;
}

export interface ResolvedTopologyOptions {
  ensure: boolean;
  /** What `TopologyManager` gets (stream, partitions, topic names and retention as bigints). */
  input: TopologyConfigInput;
}
