import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Observable } from 'rxjs';
import { ConnectorError } from '../../../lib/connectors/connector-error.js';
import type { EmbeddedConnector } from '../../../lib/connectors/embedded-connector.js';
import { IGGY_CONNECTOR } from '../../../lib/module/iggy.constants.js';
import { IggyModule } from '../../../lib/module/iggy.module.js';
import type { IggyModuleOptions } from '../../../lib/module/interfaces/iggy-module-options.interface.js';
import { MessageRun } from '../../../lib/protocol/messages/message-run.js';
import { ConsumerKind } from '../../../lib/protocol/primitives/consumer.js';
import { PollingStrategy } from '../../../lib/protocol/primitives/polling-strategy.js';
import { IggyClientProxy } from '../../../lib/transport/iggy.client-proxy.js';
import { memoryConfig } from '../module/iggy-test-kit.js';
import { pollBytes } from '../broker/broker-kit.js';

/*
 * The in-flight cap seen from `emit` (module option `publish`): a burst fired without awaiting, beyond
 * the cap. The wait happens inside each emit's observable; what completes is in the log, once, in
 * per-tenant order, and what fails, fails with a ConnectorError of kind Backpressure.
 */

const PARTITIONS = 4;
const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark'];

async function start(publish: IggyModuleOptions['publish']) {
  @Module({ imports: [IggyModule.forRoot(memoryConfig({ partitions: PARTITIONS, publish }))] })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return { app, client: app.get(IggyClientProxy), connector: app.get<EmbeddedConnector>(IGGY_CONNECTOR) };
}

/** How each emit ended: 'complete' or its error. */
function outcome(source: Observable<unknown>): Promise<unknown> {
  return new Promise((resolve) => source.subscribe({ complete: () => resolve('complete'), error: resolve }));
}

/** The events of the domain topic as stored: tenant and seq, per partition in log order. */
async function storedEvents(connector: EmbeddedConnector): Promise<{ tenantId: string; seq: number }[]> {
  const broker = connector.broker!;
  const reader = broker.openSession();
  const out: { tenantId: string; seq: number }[] = [];
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const result = await pollBytes(reader, {
      streamId: 'test',
      topicId: 'domain',
      consumer: { kind: ConsumerKind.Consumer, id: 'reader' },
      partitionId: partition,
      strategy: PollingStrategy.offset(0n),
      count: 100_000,
      autoCommit: false,
    });
    for (const m of new MessageRun(result.messages, result.count).decode()) {
      out.push(JSON.parse(m.payload.toString('utf8')) as { tenantId: string; seq: number });
    }
  }
  await reader.close();
  return out;
}

function inOrderPerTenant(events: { tenantId: string; seq: number }[]): boolean {
  const last = new Map<string, number>();
  return events.every(({ tenantId, seq }) => {
    const ok = (last.get(tenantId) ?? -1) < seq;
    last.set(tenantId, seq);
    return ok;
  });
}

describe('IggyClientProxy.emit under the in-flight cap', () => {
  it('makes a burst beyond the cap wait inside the observables: every emit completes, all stored, in order', async () => {
    const { app, client, connector } = await start({
      maxInFlightMessages: 25,
      backpressureTimeoutMs: 30_000,
    });
    const peak = { inFlight: 0, waiting: 0 };
    const emits = Array.from({ length: 600 }, (_, seq) =>
      outcome(client.emit('tick', { tenantId: TENANTS[seq % TENANTS.length], seq })).then((end) => {
        const { inFlightMessages, waiting } = connector.publishStats;
        peak.inFlight = Math.max(peak.inFlight, inFlightMessages);
        peak.waiting = Math.max(peak.waiting, waiting);
        return end;
      }),
    );
    expect(new Set(await Promise.all(emits))).toEqual(new Set(['complete']));
    // fire-and-forget: the emits beyond the cap waited inside their observables
    expect(peak.inFlight).toBeLessThanOrEqual(25);
    expect(peak.waiting).toBeGreaterThan(0);
    const stored = await storedEvents(connector);
    expect(stored.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 600 }, (_, i) => i));
    expect(inOrderPerTenant(stored)).toBe(true);
    await app.close();
  });

  it('fails the emits that find no room with Backpressure when no wait is allowed; what completed is stored', async () => {
    const { app, client, connector } = await start({ maxInFlightMessages: 25, backpressureTimeoutMs: 0 });
    const seqs = Array.from({ length: 200 }, (_, seq) => seq);
    const outcomes = await Promise.all(
      seqs.map((seq) => outcome(client.emit('tick', { tenantId: TENANTS[seq % TENANTS.length], seq }))),
    );
    const completed = seqs.filter((seq) => outcomes[seq] === 'complete');
    const failed = outcomes.filter((o) => o !== 'complete');
    expect(completed.length).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    expect(completed.length + failed.length).toBe(200);
    for (const error of failed) {
      expect(error).toBeInstanceOf(ConnectorError);
      expect(error).toMatchObject({ kind: 'Backpressure' });
    }
    const stored = await storedEvents(connector);
    expect(stored.map((e) => e.seq).sort((a, b) => a - b)).toEqual(completed);
    await app.close();
  });
});
