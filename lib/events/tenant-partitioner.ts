import { Limits } from '../protocol/limits.js';
import { partitionForKey } from '../protocol/messages/partition-key.js';
import { EnvelopeValidationError } from './event-errors.js';
import { checkWellFormed } from './lone-surrogate.js';

/** A tenant id is the messages key of its events: 1..255 bytes of UTF-8. */
export const MAX_TENANT_ID_BYTES = Limits.maxNameBytes;

/** Throws `EnvelopeValidationError` (field `tenantId`) unless `tenantId` is a well-formed 1..255-byte string. */
export function validateTenantId(tenantId: unknown, field = 'tenantId'): asserts tenantId is string {
  if (typeof tenantId !== 'string') {
    throw new EnvelopeValidationError(field, `must be a string, got ${typeof tenantId}`);
  }
  const bytes = Buffer.byteLength(tenantId, 'utf8');
  if (bytes === 0 || bytes > MAX_TENANT_ID_BYTES) {
    throw new EnvelopeValidationError(
      field,
      `must be 1..${MAX_TENANT_ID_BYTES} bytes of UTF-8, got ${bytes}`,
    );
  }
  checkWellFormed(tenantId, bytes, field);
}

/**
 * The partition key of a tenant's events: the tenant id itself. One key lands on one partition, so a
 * tenant's events keep their order (and its consumers see them in that order).
 */
export function tenantPartitionKey(tenantId: string): string {
  validateTenantId(tenantId);
  return tenantId;
}

/**
 * The 0-based partition the server picks for a tenant's events in a topic of `partitions`
 * partitions: XxHash32 of the tenant id's UTF-8 bytes, mod `partitions` (as `partitionForKey`).
 */
export function partitionForTenant(tenantId: string, partitions: number): number {
  validateTenantId(tenantId);
  return partitionForKey(Buffer.from(tenantId, 'utf8'), partitions);
}
