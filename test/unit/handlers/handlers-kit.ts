import { Logger, type Provider, type Type } from '@nestjs/common';
import { APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { Test, type TestingModule } from '@nestjs/testing';
import { EmbeddedConnector } from '../../../lib/connectors/embedded-connector.js';
import type { IggyConnector } from '../../../lib/connectors/iggy-connector.js';
import { IGGY_DLQ_PROVIDERS, IggyDlqInterceptor } from '../../../lib/dlq/index.js';
import { envelopeToMessage } from '../../../lib/events/envelope-message.js';
import {
  createEnvelope,
  type CreateEnvelopeInput,
  type EventEnvelope,
} from '../../../lib/events/event-envelope.js';
import { JsonSerializer } from '../../../lib/events/json-serializer.js';
import { IGGY_HANDLER_PROVIDERS } from '../../../lib/handlers/index.js';
import { IGGY_CONNECTOR, IGGY_OPTIONS } from '../../../lib/module/iggy.constants.js';
import type { IggyModuleOptions } from '../../../lib/module/interfaces/iggy-module-options.interface.js';
import { IGGY_REPLAY_PROVIDERS } from '../../../lib/replay/index.js';
import { TopologyManager } from '../../../lib/topology/topology-manager.js';

export const STREAM = 'test';
export const TOPIC = 'domain';
export const PARTITIONS = 4;

/** Fast retries so failing handlers reach the DLQ quickly. */
export const fastOptions: IggyModuleOptions = {
  retry: { attempts: 3, initialDelayMs: 5, maxDelayMs: 20, multiplier: 2, jitter: 0.2 },
  handlers: { shutdownTimeoutMs: 2_000 },
};

/** An in-memory embedded broker (optionally with a TCP listener) with the topology ensured. */
export async function startBroker(options: { tcp?: boolean } = {}): Promise<EmbeddedConnector> {
  const connector = new EmbeddedConnector();
  await connector.connect({
    streamName: STREAM,
    topicName: TOPIC,
    partitions: PARTITIONS,
    embedded: { persistent: false, tcpPort: options.tcp ? 0 : null, httpPort: null, rootPassword: 'iggy' },
  });
  await new TopologyManager(connector, {}, { logger: { warn: () => undefined } }).ensure();
  return connector;
}

/** What the module will do: connector + options + the handler, DLQ and replay providers + the global interceptor. */
export async function createApp(
  connector: IggyConnector,
  providers: (Provider | Type)[],
  options: IggyModuleOptions = fastOptions,
  controllers: Type[] = [],
): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule],
    controllers,
    providers: [
      { provide: IGGY_CONNECTOR, useValue: connector },
      { provide: IGGY_OPTIONS, useValue: options },
      ...IGGY_HANDLER_PROVIDERS,
      ...IGGY_DLQ_PROVIDERS,
      ...IGGY_REPLAY_PROVIDERS,
      { provide: APP_INTERCEPTOR, useExisting: IggyDlqInterceptor },
      ...providers,
    ],
  }).compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  return moduleRef;
}

export const json = new JsonSerializer();

export function event<T>(input: Omit<CreateEnvelopeInput<T>, 'payload'> & { payload?: T }): EventEnvelope<T> {
  return createEnvelope({ ...input, payload: input.payload ?? ({} as T) });
}

export async function publish(connector: IggyConnector, ...events: EventEnvelope[]): Promise<void> {
  await connector.publishBatch(
    events.map((e) => envelopeToMessage(e, json, { stream: STREAM, topic: TOPIC })),
  );
}

/** Polls `check` until it holds (or throws after `timeoutMs`). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise with its resolve function. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Total lag of a group on the test topic. */
export async function groupLag(connector: IggyConnector, group: string): Promise<bigint> {
  const lags = await connector.consumerLag(STREAM, TOPIC, { kind: 'group', name: group });
  return lags.reduce((sum, p) => sum + p.lag, 0n);
}

Logger.overrideLogger(false);
