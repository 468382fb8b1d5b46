export { ReplayManager } from './replay.manager.js';
export {
  ReplayError,
  type ReplayFailure,
  type ReplayHandler,
  type ReplayOptions,
  type ReplayProgress,
  type ReplayResult,
} from './replay-options.js';
export {
  readPartition,
  throwawayConsumerName,
  type PartitionReadOptions,
  type ReadFrom,
} from '../consumer/partition-reader.js';
export { IGGY_REPLAY_PROVIDERS } from './iggy-replay.providers.js';
