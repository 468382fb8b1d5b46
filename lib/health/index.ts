export {
  IggyHealthIndicator,
  type GroupLagDetail,
  type IggyHealthOptions,
  type IggyHealthResult,
  type LagTarget,
  type OutboxLagDetail,
} from './iggy.health-indicator.js';
