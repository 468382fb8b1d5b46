import type { CommandCodec } from '../command-codec.js';
import {
  createConsumerGroupCodec,
  deleteConsumerGroupCodec,
  getConsumerGroupCodec,
  getConsumerGroupsCodec,
  joinConsumerGroupCodec,
  leaveConsumerGroupCodec,
} from './consumer-groups/index.js';
import { createPartitionsCodec, deletePartitionsCodec } from './partitions/index.js';
import { deleteSegmentsCodec } from './segments/index.js';
import {
  createStreamCodec,
  deleteStreamCodec,
  getStreamCodec,
  getStreamsCodec,
  purgeStreamCodec,
  updateStreamCodec,
} from './streams/index.js';
import {
  createTopicCodec,
  deleteTopicCodec,
  getTopicCodec,
  getTopicsCodec,
  purgeTopicCodec,
  updateTopicCodec,
} from './topics/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const catalogCodecs: readonly CommandCodec<any, any>[] = [
  getStreamCodec,
  getStreamsCodec,
  createStreamCodec,
  deleteStreamCodec,
  updateStreamCodec,
  purgeStreamCodec,
  getTopicCodec,
  getTopicsCodec,
  createTopicCodec,
  deleteTopicCodec,
  updateTopicCodec,
  purgeTopicCodec,
  createPartitionsCodec,
  deletePartitionsCodec,
  deleteSegmentsCodec,
  getConsumerGroupCodec,
  getConsumerGroupsCodec,
  createConsumerGroupCodec,
  deleteConsumerGroupCodec,
  joinConsumerGroupCodec,
  leaveConsumerGroupCodec,
];
