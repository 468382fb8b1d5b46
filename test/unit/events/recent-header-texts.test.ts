import { describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { LastPassed, RecentHeaderTexts } from '../../../lib/events/recent-header-texts.js';
import { fuzzRuns } from '../../support/fuzz.js';

const asciiText = fc.string({
  unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 80,
});

describe('RecentHeaderTexts', () => {
  it('reads every ASCII run as its text, whatever it read before (repeats, collisions, a full table)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(asciiText, fc.constantFrom('a', 'b', 'tenant-1', 'tenant-12')), { maxLength: 600 }),
        (texts) => {
          const recent = new RecentHeaderTexts();
          for (const text of texts) {
            const buf = Buffer.from(`##${text}#`, 'latin1');
            expect(recent.text(buf, 2, 2 + text.length)).toBe(text);
          }
        },
      ),
      { numRuns: fuzzRuns(100) },
    );
  });

  it('hands out one shared string for a repeated value', () => {
    const recent = new RecentHeaderTexts();
    const first = recent.text(Buffer.from('order.created'), 0, 13);
    const again = recent.text(Buffer.from('xorder.created'), 1, 14);
    expect(again).toBe(first); // Object.is: one string, not only equal text
  });
});

describe('LastPassed', () => {
  it('checks a value once while it repeats, and again after another', () => {
    const check = jest.fn((text: string) => text.length);
    const last = new LastPassed(check);
    expect([last.of('ab'), last.of('ab'), last.of('abc'), last.of('ab')]).toEqual([2, 2, 3, 2]);
    expect(check).toHaveBeenCalledTimes(3);
  });

  it('never remembers a value that failed: it fails every time', () => {
    const last = new LastPassed((text: string) => {
      if (text === 'bad') throw new Error('bad value');
      return text;
    });
    expect(last.of('good')).toBe('good');
    expect(() => last.of('bad')).toThrow('bad value');
    expect(() => last.of('bad')).toThrow('bad value');
    expect(last.of('good')).toBe('good');
  });
});
