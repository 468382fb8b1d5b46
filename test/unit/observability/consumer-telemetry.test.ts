import { describe, expect, it } from '@jest/globals';
import type { ReceivedMessage } from '../../../lib/connectors/message-subscriber.js';
import { Delivery } from '../../../lib/consumer/delivery.js';
import type { DispatchResult } from '../../../lib/consumer/dispatcher.js';
import type { EventMeta } from '../../../lib/events/envelope-headers.js';
import { ConsumerTelemetry } from '../../../lib/observability/consumer-telemetry.js';
import { IggyMetrics } from '../../../lib/observability/iggy-metrics.js';
import { sample } from '../../support/observability.js';

const target = { stream: 's', topic: 't', group: 'g' };

function delivery(type: string): Delivery {
  const d = new Delivery({ partition: 0, offset: 0n } as ReceivedMessage);
  d.meta = { type } as EventMeta;
  return d;
}

describe('ConsumerTelemetry with metrics', () => {
  it('returns a synchronous outcome at once, counted by the next read', async () => {
    const metrics = new IggyMetrics();
    const telemetry = new ConsumerTelemetry(target, metrics, undefined);
    expect(telemetry.process(delivery('a'), () => 'handled')).toBe('handled');
    expect(telemetry.process(delivery('a'), () => 'handled')).toBe('handled');
    expect(sample(await metrics.metrics(), 'nestjs_iggy_consumer_handled_total{group="g",type="a"}')).toBe(2);
    telemetry.process(delivery('a'), () => 'handled');
    expect(sample(await metrics.metrics(), 'nestjs_iggy_consumer_handled_total{group="g",type="a"}')).toBe(3);
  });

  it('shows a pending message as in flight until it settles, and counts only what was handled', async () => {
    const metrics = new IggyMetrics();
    const telemetry = new ConsumerTelemetry(target, metrics, undefined);
    let finish!: (result: DispatchResult) => void;
    const outcome = telemetry.process(
      delivery('slow'),
      () => new Promise<DispatchResult>((resolve) => (finish = resolve)),
    );
    const failing = telemetry.process(delivery('slow'), () => Promise.reject(new Error('no')));
    await expect(failing).rejects.toThrow('no');
    let text = await metrics.metrics();
    expect(sample(text, 'nestjs_iggy_consumer_in_flight{group="g"}')).toBe(1);
    expect(sample(text, 'nestjs_iggy_consumer_handled_total{group="g",type="slow"}')).toBeUndefined();
    finish('handled');
    await expect(outcome).resolves.toBe('handled');
    text = await metrics.metrics();
    expect(sample(text, 'nestjs_iggy_consumer_in_flight{group="g"}')).toBe(0);
    expect(sample(text, 'nestjs_iggy_consumer_handled_total{group="g",type="slow"}')).toBe(1);
  });

  it('counts types past the label budget as other', async () => {
    const metrics = new IggyMetrics({ maxEventTypes: 1 });
    const telemetry = new ConsumerTelemetry(target, metrics, undefined);
    for (const type of ['a', 'b', 'c', 'a', 'b']) telemetry.process(delivery(type), () => 'handled');
    const text = await metrics.metrics();
    expect(sample(text, 'nestjs_iggy_consumer_handled_total{group="g",type="a"}')).toBe(2);
    expect(sample(text, 'nestjs_iggy_consumer_handled_total{group="g",type="other"}')).toBe(3);
  });

  it('reads the counts through the counter itself, as prom-client users do', async () => {
    const metrics = new IggyMetrics();
    const telemetry = new ConsumerTelemetry(target, metrics, undefined);
    telemetry.process(delivery('a'), () => 'handled');
    const { values } = await metrics.handled.get();
    expect(values).toEqual([{ labels: { group: 'g', type: 'a' }, value: 1 }]);
  });
});
