import { describe, it } from '@jest/globals';
import { validateBatch } from '../../../../lib/broker/partitions/batch-validation.js';
import { batch, expectCode } from '../broker-kit.js';

describe('validateBatch', () => {
  it('accepts well-formed messages', () => {
    validateBatch(batch(['a', { payload: 'bb', headers: Buffer.from([1, 2, 3]) }]), 2);
  });

  it('answers the real server codes', async () => {
    await expectCode(() => validateBatch(batch(['a']), 0), 'InvalidMessagesCount');
    await expectCode(() => validateBatch(batch(['a']), 2), 'InvalidMessagesCount');
    await expectCode(() => validateBatch(batch(['a', 'b']), 1), 'InvalidMessagesSize');
    await expectCode(() => validateBatch(batch([{ payload: 'a', reserved: 7n }]), 1), 'InvalidReservedField');
    await expectCode(() => validateBatch(batch(['']), 1), 'EmptyMessagePayload');
    await expectCode(() => validateBatch(batch(['abc']).subarray(0, 66), 1), 'InvalidMessagesSize');
    await expectCode(() => validateBatch(Buffer.alloc(10), 1), 'InvalidMessagesSize');
    const tooBig = batch(['a']);
    tooBig.writeUInt32LE(64_000_001, 52);
    await expectCode(() => validateBatch(tooBig, 1), 'TooBigMessagePayload');
    const bigHeaders = batch(['a']);
    bigHeaders.writeUInt32LE(100_001, 48);
    await expectCode(() => validateBatch(bigHeaders, 1), 'TooBigUserHeaders');
  });
});
