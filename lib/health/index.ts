export {
  IggyHealthIndicator,
  type GroupLagDetail,
  type IggyHealthOptions,
  type IggyHealthResult,
  type LagTarget,
} from './iggy.health-indicator.js';
