import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { firstValueFrom } from 'rxjs';
import { EmbeddedConnector } from '../../../lib/connectors/embedded-connector.js';
import type { ReceivedMessage } from '../../../lib/connectors/message-subscriber.js';
import { readEventMeta } from '../../../lib/events/envelope-headers.js';
import { messageToEnvelope } from '../../../lib/events/envelope-message.js';
import { partitionForKey } from '../../../lib/protocol/messages/partition-key.js';
import { TopologyManager } from '../../../lib/topology/topology-manager.js';
import { IggyClientProxy } from '../../../lib/transport/iggy.client-proxy.js';
import { IggyRecord } from '../../../lib/transport/iggy-record.js';
import { IggyMissingTenantError, IggyTransportError } from '../../../lib/transport/transport-errors.js';
import { EnvelopeValidationError } from '../../../lib/events/event-errors.js';
import { memoryConfig } from '../module/iggy-test-kit.js';

const PARTITIONS = 4;
let connector: EmbeddedConnector;

beforeAll(async () => {
  connector = new EmbeddedConnector();
  await connector.connect(memoryConfig({ partitions: PARTITIONS }) as never);
  await new TopologyManager(connector, {}, { logger: { warn: () => undefined } }).ensure();
});
afterAll(() => connector.shutdown());

/** Every message of a topic's partition, from the beginning. */
async function partitionMessages(partition: number, topic = 'domain'): Promise<ReceivedMessage[]> {
  const info = await connector.getTopic('test', topic);
  const last = info!.partitions.find((p) => p.id === partition)!.currentOffset;
  if (last === null) return [];
  const subscriber = await connector.subscribe('test', topic, partition, { startFrom: 'beginning' });
  const out: ReceivedMessage[] = [];
  while (out.length <= Number(last)) out.push((await subscriber.recv())!);
  await subscriber.close();
  return out;
}

describe('IggyClientProxy.emit', () => {
  it('publishes an envelope to the domain topic, on the partition of its tenant', async () => {
    const client = new IggyClientProxy({ connector });
    const tenants = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
    for (const tenantId of tenants) {
      await firstValueFrom(client.emit('order.created', { tenantId, total: 10 }), {
        defaultValue: undefined,
      });
    }
    for (const tenantId of tenants) {
      const partition = partitionForKey(Buffer.from(tenantId, 'utf8'), PARTITIONS);
      const messages = await partitionMessages(partition);
      const mine = messages.map((m) => messageToEnvelope(m)).find((e) => e.tenantId === tenantId);
      expect(mine).toMatchObject({
        type: 'order.created',
        tenantId,
        version: 1,
        payload: { tenantId, total: 10 },
      });
    }
    await client.close();
    expect(connector.isConnected()).toBe(true);
  });

  it('takes tenant and metadata from an IggyRecord, packet metadata as headers, and the serialization', async () => {
    const client = new IggyClientProxy({ connector, serialization: 'msgpack' });
    client.setOnDispatchHook((packet) => {
      packet.metadata = { traceId: 'tr-1' };
    });
    await firstValueFrom(
      client.emit(
        'invoice.issued',
        new IggyRecord({ amount: 5n }, { tenantId: 'zeta', actorId: 'billing', correlationId: 'flow-1' }),
      ),
      { defaultValue: undefined },
    );
    const messages = await partitionMessages(partitionForKey(Buffer.from('zeta'), PARTITIONS));
    const message = messages.find((m) => readEventMeta(m).tenantId === 'zeta');
    expect(readEventMeta(message!)).toMatchObject({
      type: 'invoice.issued',
      tenantId: 'zeta',
      actorId: 'billing',
      correlationId: 'flow-1',
      headers: { traceId: 'tr-1' },
      contentType: 'application/msgpack',
    });
    expect(messageToEnvelope(message!).payload).toEqual({ amount: 5n });
  });

  it('fails clearly without a tenant, unless a default tenant is configured', async () => {
    const strict = new IggyClientProxy({ connector });
    const error = await firstValueFrom(strict.emit('thing.happened', { x: 1 })).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(IggyMissingTenantError);
    expect((error as Error).message).toMatch(/cannot publish 'thing.happened': no tenant/);
    const lenient = new IggyClientProxy({ connector, defaultTenantId: 'default-tenant', topic: 'system' });
    await firstValueFrom(lenient.emit('thing.happened', { x: 1 }), { defaultValue: undefined });
    const [received] = await partitionMessages(
      partitionForKey(Buffer.from('default-tenant'), PARTITIONS),
      'system',
    );
    expect(readEventMeta(received!)).toMatchObject({ tenantId: 'default-tenant', type: 'thing.happened' });
  });

  it('rejects a tenantId that is not a string instead of falling back to the default tenant', async () => {
    const client = new IggyClientProxy({ connector, defaultTenantId: 'default-tenant' });
    for (const data of [{ tenantId: 42 }, new IggyRecord({}, { tenantId: 42 as never })]) {
      const error = await firstValueFrom(client.emit('thing.happened', data)).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(EnvelopeValidationError);
      expect((error as Error).message).toMatch(/tenantId: must be a string, got number/);
    }
  });

  it('without a connector and no IggyModule running: a clear error naming the way out', async () => {
    const client = new IggyClientProxy();
    const error = await firstValueFrom(client.emit('thing.happened', { tenantId: 'acme' })).catch(
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(IggyTransportError);
    expect((error as Error).message).toMatch(/made without a connector and no IggyModule is running/);
    expect(() => client.unwrap()).toThrow(IggyTransportError);
  });

  it('with its own connector config: connects on first use and shuts it down on close', async () => {
    const client = new IggyClientProxy({ connector: memoryConfig({ streamName: 'own-client' }) });
    expect(await client.connect()).toBe(client.unwrap());
    const own = client.unwrap<EmbeddedConnector>();
    expect(own.isConnected()).toBe(true);
    expect(await own.getTopic('own-client', 'domain')).not.toBeNull();
    await client.close();
    expect(own.isConnected()).toBe(false);
  });
});
