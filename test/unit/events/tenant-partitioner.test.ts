import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  EnvelopeValidationError,
  partitionForTenant,
  tenantPartitionKey,
  validateTenantId,
} from '../../../lib/events/index.js';
import { calculatePartition } from '../../../lib/connectors/calculate-partition.js';
import { partitionForKey } from '../../../lib/protocol/messages/partition-key.js';

const tenantId = fc.string({ minLength: 1, maxLength: 60, unit: 'grapheme' });

describe('tenant partitioning', () => {
  it('is partitionForKey of the UTF-8 bytes, so it is where the server puts the events', () => {
    fc.assert(
      fc.property(tenantId, fc.integer({ min: 1, max: 1000 }), (t, n) => {
        const p = partitionForTenant(t, n);
        expect(p).toBe(partitionForKey(Buffer.from(t, 'utf8'), n));
        expect(p).toBe(calculatePartition(t, n));
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(n);
        expect(partitionForTenant(t, n)).toBe(p);
      }),
    );
  });

  it('spreads tenants over the partitions', () => {
    const used = new Set(Array.from({ length: 200 }, (_, i) => partitionForTenant(`tenant-${i}`, 8)));
    expect(used.size).toBe(8);
  });

  it('uses the tenant id as the partition key', () => {
    expect(tenantPartitionKey('acme')).toBe('acme');
  });

  it('accepts 1..255 UTF-8 bytes and rejects the rest with a typed error', () => {
    expect(() => validateTenantId('x'.repeat(255))).not.toThrow();
    expect(() => validateTenantId('€'.repeat(85))).not.toThrow(); // 255 bytes
    for (const bad of ['', 'x'.repeat(256), '€'.repeat(86), 42, undefined]) {
      expect(() => validateTenantId(bad)).toThrow(EnvelopeValidationError);
    }
    expect(() => partitionForTenant('', 8)).toThrow(/tenantId: must be 1\.\.255 bytes of UTF-8, got 0/);
    expect(() => partitionForTenant('t', 0)).toThrow(/partitionsCount must be a positive integer/);
  });

  it('rejects a lone surrogate, which UTF-8 would turn into another tenant id (U+FFFD)', () => {
    expect(() => validateTenantId('Zürich-東京-🚀')).not.toThrow();
    for (const [bad, at] of [
      ['a\ud800b', 1],
      ['\udc00', 0],
      ['ok\ud83d', 2],
      ['🚀\ude80', 2],
    ] as const) {
      expect(() => validateTenantId(bad)).toThrow(
        `tenantId: holds a lone surrogate at index ${at}, which UTF-8 cannot carry`,
      );
    }
  });
});
