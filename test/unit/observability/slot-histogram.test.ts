import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { SlotHistogram } from '../../../lib/observability/slot-histogram.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];

function pair() {
  const ours = new Registry();
  const theirs = new Registry();
  const config = {
    name: 'x_seconds',
    help: 'A time',
    labelNames: ['group', 'type'] as const,
    buckets: BUCKETS,
  };
  return {
    ours,
    theirs,
    slotHistogram: new SlotHistogram({ ...config, labelNames: [...config.labelNames], registers: [ours] }),
    histogram: new Histogram({ ...config, labelNames: [...config.labelNames], registers: [theirs] }),
  };
}

describe('SlotHistogram', () => {
  it("renders exactly what prom-client's Histogram renders for the same observations (text and JSON)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            group: fc.constantFrom('a', 'b'),
            type: fc.constantFrom('t1', 't2', 'x"y'),
            value: fc.oneof(fc.double({ min: 0, max: 5, noNaN: true }), fc.constantFrom(...BUCKETS)),
            bound: fc.boolean(),
          }),
          { maxLength: 60 },
        ),
        async (observations) => {
          const { ours, theirs, slotHistogram, histogram } = pair();
          for (const { group, type, value, bound } of observations) {
            if (bound) slotHistogram.slot({ group, type }).observe(value);
            else slotHistogram.observe({ group, type }, value);
            histogram.observe({ group, type }, value);
          }
          expect(await ours.metrics()).toBe(await theirs.metrics());
          expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
        },
      ),
      { numRuns: 100 },
    );
  });

  it('is found and reset through its registry, and refuses a label it was not given and a non-finite value', async () => {
    const { ours, slotHistogram } = pair();
    const slot = slotHistogram.slot({ group: 'a', type: 't' });
    slot.observe(0.5);
    expect(ours.getSingleMetric('x_seconds')).toBe(slotHistogram);
    expect(await ours.metrics()).toContain('x_seconds_count{group="a",type="t"} 1');
    ours.resetMetrics();
    expect(await ours.metrics()).not.toContain('x_seconds_count');
    expect(() => slotHistogram.observe({ group: 'a', nope: 'x' } as never, 1)).toThrow(/nope/);
    expect(() => slot.observe(Number.NaN)).toThrow(TypeError);
  });
});
