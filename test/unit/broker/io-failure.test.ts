import { describe, expect, it } from '@jest/globals';
import { ioFailure } from '../../../lib/broker/io-failure.js';
import { toConnectorError } from '../../../lib/connectors/connector-error-mapping.js';
import { CommandCode } from '../../../lib/protocol/codes/command-codes.js';
import { IggyErrorCode } from '../../../lib/protocol/codes/error-codes.js';

const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
  code: 'ENOSPC',
  syscall: 'write',
});

describe('ioFailure', () => {
  it('names the cause of a system error and answers a specific code instead of Error (1)', () => {
    expect(ioFailure(enospc, CommandCode.SendMessages)).toEqual({
      code: IggyErrorCode.CannotSaveMessagesToSegment,
      cause: 'no space left on the device (ENOSPC)',
    });
    expect(ioFailure(enospc, CommandCode.StoreOffset)?.code).toBe(IggyErrorCode.CannotWriteToFile);
    expect(ioFailure(new Error('a bug'))).toBeNull();
  });

  it('gives an in-process publish failure the same code and cause', () => {
    const error = toConnectorError(enospc, 'Publish', 'publish to s/t');
    expect(error.kind).toBe('Publish');
    expect(error.iggyCode).toBe(IggyErrorCode.CannotSaveMessagesToSegment);
    expect(error.message).toMatch(/no space left on the device \(ENOSPC\)/);
  });
});
