import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientProxy } from '@nestjs/microservices';
import { InvalidMessageException } from '@nestjs/microservices/errors/invalid-message.exception.js';
import { lastValueFrom, type Observable } from 'rxjs';
import { EmbeddedConnector } from '../../../lib/connectors/embedded-connector.js';
import { TopologyManager } from '../../../lib/topology/topology-manager.js';
import { IggyClientProxy } from '../../../lib/transport/iggy.client-proxy.js';
import { IggyMissingTenantError } from '../../../lib/transport/transport-errors.js';
import { memoryConfig, recordLogs } from '../module/iggy-test-kit.js';

let connector: EmbeddedConnector;

beforeAll(async () => {
  connector = new EmbeddedConnector();
  await connector.connect(memoryConfig({ partitions: 2 }) as never);
  await new TopologyManager(connector, {}, { logger: { warn: () => undefined } }).ensure();
});
afterAll(() => connector.shutdown());

type Emit = (client: IggyClientProxy, pattern: unknown, data: unknown) => Observable<unknown>;
/** `IggyClientProxy.emit`, and Nest's own `ClientProxy.emit` on the same client (the reference). */
const emits: [string, Emit][] = [
  ['IggyClientProxy.emit', (client, pattern, data) => client.emit(pattern, data)],
  [
    "Nest's ClientProxy.emit",
    (client, pattern, data) => ClientProxy.prototype.emit.call(client, pattern, data) as Observable<unknown>,
  ],
];

/** What a subscriber sees: values, then `complete` or the error. */
function observe(source: Observable<unknown>): Promise<{ values: unknown[]; end: unknown }> {
  return new Promise((resolve) => {
    const values: unknown[] = [];
    source.subscribe({
      next: (value) => values.push(value),
      complete: () => resolve({ values, end: 'complete' }),
      error: (error: unknown) => resolve({ values, end: error }),
    });
  });
}

async function domainCount(): Promise<bigint> {
  const info = await connector.getTopic('test', 'domain');
  return info!.partitions.reduce((n, p) => n + (p.currentOffset === null ? 0n : p.currentOffset + 1n), 0n);
}

describe.each(emits)('%s', (_name, emit) => {
  it('publishes at once, without a subscriber', async () => {
    const client = new IggyClientProxy({ connector });
    const before = await domainCount();
    void emit(client, 'thing.happened', { tenantId: 'acme' });
    for (let i = 0; i < 100 && (await domainCount()) === before; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await domainCount()).toBe(before + 1n);
  });

  it('emits one undefined then completes for a subscriber from the start', async () => {
    const client = new IggyClientProxy({ connector });
    expect(await observe(emit(client, 'thing.happened', { tenantId: 'acme' }))).toEqual({
      values: [undefined],
      end: 'complete',
    });
  });

  it('tells every subscriber from the start the outcome, in order', async () => {
    const client = new IggyClientProxy({ connector });
    const ok = emit(client, 'thing.happened', { tenantId: 'acme' });
    const order: number[] = [];
    const seen = await Promise.all([0, 1, 2].map((i) => observe(ok).finally(() => order.push(i))));
    expect(seen).toEqual(Array.from({ length: 3 }, () => ({ values: [undefined], end: 'complete' })));
    expect(order).toEqual([0, 1, 2]);
    const failing = emit(client, 'thing.happened', { x: 1 });
    const errors = await Promise.all([observe(failing), observe(failing)]);
    for (const { values, end } of errors) {
      expect(values).toEqual([]);
      expect(end).toBeInstanceOf(IggyMissingTenantError);
    }
  });

  it('shows a late subscriber only the completion, or the error', async () => {
    const client = new IggyClientProxy({ connector });
    const ok = emit(client, 'thing.happened', { tenantId: 'acme' });
    await lastValueFrom(emit(client, 'thing.happened', { tenantId: 'acme' }), { defaultValue: undefined });
    await new Promise((r) => setTimeout(r, 10));
    expect(await observe(ok)).toEqual({ values: [], end: 'complete' });
    const failing = emit(client, 'thing.happened', { x: 1 });
    await new Promise((r) => setTimeout(r, 10));
    const seen = await observe(failing);
    expect(seen.values).toEqual([]);
    expect(seen.end).toBeInstanceOf(IggyMissingTenantError);
  });

  it('calls the dispatch hook once per event', async () => {
    const client = new IggyClientProxy({ connector });
    let calls = 0;
    client.setOnDispatchHook(() => void calls++);
    await lastValueFrom(emit(client, 'thing.happened', { tenantId: 'acme' }), { defaultValue: undefined });
    expect(calls).toBe(1);
  });

  it('refuses a missing pattern or data', async () => {
    const client = new IggyClientProxy({ connector });
    for (const [pattern, data] of [
      [undefined, { tenantId: 'acme' }],
      ['thing.happened', null],
    ]) {
      expect((await observe(emit(client, pattern, data))).end).toBeInstanceOf(InvalidMessageException);
    }
  });
});

describe('IggyClientProxy.emit nobody subscribes to', () => {
  it('tells its failure to the error listeners and logs it, rather than lose it in silence', async () => {
    const logs = recordLogs();
    const client = new IggyClientProxy({ connector });
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));
    void client.emit('thing.happened', { x: 1 }); // no tenant
    void client.emit('thing.happened', { tenantId: 'acme', n: 1n }); // a BigInt JSON cannot write
    await new Promise((r) => setTimeout(r, 10));
    expect(errors.map((e) => (e as Error).name)).toEqual(['IggyMissingTenantError', 'SerializationError']);
    // Logged once a second at most: the failures after the first are counted, and told when the second ends.
    const told = () => logs.lines.filter((line) => line.includes('nothing subscribed to'));
    expect(told()).toEqual([expect.stringMatching(/^error an emit failed .*no tenant/)]);
    await new Promise((r) => setTimeout(r, 1_100));
    expect(told()[1]).toMatch(/^error 1 more emit\(s\) failed .*; the last: JSON cannot serialize/);
    for (let i = 0; i < 3; i++) void client.emit('thing.happened', { x: i });
    await new Promise((r) => setTimeout(r, 10));
    expect(told()).toHaveLength(2); // still within the second opened by the count
    await client.close(); // tells what is left
    expect(told()[2]).toMatch(/^error 3 more emit\(s\) failed .*; the last: .*tenant/);
  });

  it('leaves a failure to the subscriber when there is one, and says nothing of a success', async () => {
    const client = new IggyClientProxy({ connector });
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));
    const seen = await observe(client.emit('thing.happened', { x: 1 }));
    expect(seen.end).toBeInstanceOf(IggyMissingTenantError);
    void client.emit('thing.happened', { tenantId: 'acme' });
    await new Promise((r) => setTimeout(r, 10));
    expect(errors).toEqual([]);
  });
});
