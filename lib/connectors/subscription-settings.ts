import { ConnectorError } from './connector-error.js';
import type { SubscribeOptions } from './message-subscriber.js';

export const subscribeDefaults = {
  consumerName: 'nestjs-iggy',
  batchSize: 1000,
  pollIntervalMs: 50,
  minPollIntervalMs: 1,
} as const;

/** How a subscription polls (checked `SubscribeOptions`). */
export interface SubscriptionSettings {
  batchSize: number;
  pollIntervalMs: number;
  minPollIntervalMs: number;
  assignmentCheckMs?: number;
}

/** Batch size and poll waits of a subscription, checked (the shortest wait is capped at the longest). */
export function subscriptionSettings(options: SubscribeOptions): SubscriptionSettings {
  const batchSize = options.batchSize ?? subscribeDefaults.batchSize;
  const pollIntervalMs = options.pollIntervalMs ?? subscribeDefaults.pollIntervalMs;
  const minPollIntervalMs = options.minPollIntervalMs ?? subscribeDefaults.minPollIntervalMs;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ConnectorError('Subscribe', `batchSize must be a positive integer, got ${batchSize}`);
  }
  if (!(pollIntervalMs >= 0)) {
    throw new ConnectorError('Subscribe', `pollIntervalMs must be >= 0, got ${pollIntervalMs}`);
  }
  if (!(minPollIntervalMs >= 0)) {
    throw new ConnectorError('Subscribe', `minPollIntervalMs must be >= 0, got ${minPollIntervalMs}`);
  }
  const { assignmentCheckMs } = options;
  if (assignmentCheckMs !== undefined && !(assignmentCheckMs >= 1)) {
    throw new ConnectorError('Subscribe', `assignmentCheckMs must be >= 1, got ${assignmentCheckMs}`);
  }
  return {
    batchSize,
    pollIntervalMs,
    minPollIntervalMs: Math.min(minPollIntervalMs, pollIntervalMs),
    assignmentCheckMs,
  };
}
