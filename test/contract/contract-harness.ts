import { randomUUID } from 'node:crypto';
import { resolveConnectorConfig, type ConnectorConfigInput } from '../../lib/connectors/connector-config.js';
import type { ConnectorErrorKind } from '../../lib/connectors/connector-error.js';
import type { IggyConnector } from '../../lib/connectors/iggy-connector.js';
import type { MessageSubscriber, ReceivedMessage } from '../../lib/connectors/message-subscriber.js';

/** One way of provoking a `ConnectorError` of `kind`: `provoke` must reject with it. */
export interface ErrorCase {
  kind: ConnectorErrorKind;
  name: string;
  provoke: () => Promise<unknown>;
}

/** Cases that need more than every target has; a target without them shows them as skipped. */
export interface ContractCapabilities {
  /** The harness gives a `refusingAddress` (remote connectors). */
  failover?: boolean;
  /** The harness can `restartServer`. */
  restart?: boolean;
  /** Consumer groups work (default true; Iggy's HTTP API has no group membership). */
  groups?: boolean;
}

/**
 * What the contract suite runs against: a factory of connectors that all reach the same data (the same
 * embedded data directory, or the same server), plus optional capabilities.
 */
export interface ContractHarness {
  /** A new connector, not connected yet. */
  create(): IggyConnector;
  /** The config `create()`'s connectors connect with (to the same data). */
  config(): ConnectorConfigInput;
  /** A config that connects on its own, beside the main connector (default: `config()`). */
  scratchConfig?(): ConnectorConfigInput;
  /** True when a new connector after `shutdown` sees what the old one stored (persistent or remote). */
  durable: boolean;
  /** Remote: an address that refuses connections (failover case); absent = case skipped. */
  refusingAddress?: string;
  /** Stops the server the connectors talk to and starts it again on the same port and data; absent = skipped. */
  restartServer?: () => Promise<void>;
  /** Error kinds only this target can provoke (Auth, Timeout, Connection, Config...). */
  errorCases?: (connected: IggyConnector) => ErrorCase[];
  /** Stops what the harness started. */
  close(): Promise<void>;
}

/** A new connected connector of the harness. */
export async function connected(harness: ContractHarness, config = harness.config()): Promise<IggyConnector> {
  const connector = harness.create();
  await connector.connect(resolveConnectorConfig(config));
  return connector;
}

/** A fresh stream with one topic of `partitions` partitions. */
export async function freshTopic(
  connector: IggyConnector,
  partitions: number,
): Promise<{ stream: string; topic: string }> {
  const stream = `contract-${randomUUID().slice(0, 8)}`;
  const topic = 'events';
  await connector.ensureStream(stream);
  await connector.ensureTopic(stream, { name: topic, partitions });
  return { stream, topic };
}

/** The next message, failing the test when none comes within `ms`. */
export async function recvWithin(subscriber: MessageSubscriber, ms = 10_000): Promise<ReceivedMessage> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no message within ${ms} ms`)), ms);
  });
  try {
    const message = await Promise.race([subscriber.recv(), timeout]);
    if (message === null) throw new Error('subscriber closed');
    return message;
  } finally {
    clearTimeout(timer);
  }
}

/** Receives (and, when `commit`, commits) until `done` says enough, or fails after `ms`. */
export async function receiveUntil(
  subscriber: MessageSubscriber,
  done: (received: ReceivedMessage[]) => boolean,
  options: { commit?: boolean; ms?: number } = {},
): Promise<ReceivedMessage[]> {
  const received: ReceivedMessage[] = [];
  const deadline = Date.now() + (options.ms ?? 15_000);
  while (!done(received)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out after ${received.length} message(s)`);
    const message = await recvWithin(subscriber, left);
    received.push(message);
    if (options.commit) await subscriber.commit(message);
  }
  return received;
}

/** The payload as JSON. */
export function body<T = { key: string; seq: number }>(message: ReceivedMessage): T {
  return JSON.parse(message.payload.toString('utf8')) as T;
}

export function payload(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with the rejection of `run`, failing when it resolves. */
export async function rejectionOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
