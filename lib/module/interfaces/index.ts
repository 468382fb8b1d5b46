export type {
  ConnectorProvider,
  DlqOptions,
  HandlerOptions,
  IggyModuleOptions,
  RequestReplyOptions,
  RetentionOptions,
  RetryOptions,
  TopologyOptions,
} from './iggy-module-options.interface.js';
export type {
  ResolvedIggyModuleOptions,
  ResolvedTopologyOptions,
} from './resolved-iggy-options.interface.js';
