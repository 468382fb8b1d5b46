import { describe, expect, it } from '@jest/globals';
import { describeError, errorStack, namedError } from '../../../lib/common/error-text.js';

describe('error text', () => {
  it("describeError: an error's message, its name when the message is empty, else the value as text", () => {
    expect(describeError(new TypeError('bad input'))).toBe('bad input');
    expect(describeError(new RangeError(''))).toBe('RangeError');
    expect(describeError({ message: 'from a plain object' })).toBe('from a plain object');
    expect(describeError('a string')).toBe('a string');
    expect(describeError(42)).toBe('42');
    expect(describeError(undefined)).toBe('undefined');
  });

  it('namedError: `Name: message`', () => {
    expect(namedError(new TypeError('bad input'))).toBe('TypeError: bad input');
    expect(namedError('a string')).toBe('a string');
  });

  it('errorStack: the stack when there is one, else the message', () => {
    const error = new Error('boom');
    expect(errorStack(error)).toBe(error.stack);
    const bare = new Error('no stack');
    bare.stack = undefined;
    expect(errorStack(bare)).toBe('no stack');
    expect(errorStack(7)).toBe('7');
  });
});
