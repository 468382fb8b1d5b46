import { describe, expect, it } from '@jest/globals';
import { FrameBufferPool } from '../../../../lib/broker/tcp/frame-buffer-pool.js';

const KB = 1024;

describe('FrameBufferPool', () => {
  it('reuses a buffer only once it is given back', () => {
    const pool = new FrameBufferPool({ maxBuffers: 4, maxBytes: 16 * 1024 * KB });
    const a = pool.take(200 * KB);
    const b = pool.take(200 * KB);
    expect(b.buffer).not.toBe(a.buffer);
    pool.give(a);
    expect(pool.spareCount).toBe(1);
    const c = pool.take(150 * KB);
    expect(c.buffer).toBe(a.buffer);
    expect(c.length).toBe(150 * KB);
    expect(pool.spareCount).toBe(0);
  });

  it('gives a big spare only to a frame at least half its size', () => {
    const pool = new FrameBufferPool({ maxBuffers: 4, maxBytes: 16 * 1024 * KB });
    const big = pool.take(1024 * KB);
    pool.give(big);
    expect(pool.take(100 * KB).buffer).not.toBe(big.buffer);
    expect(pool.take(2048 * KB).buffer).not.toBe(big.buffer);
    expect(pool.take(600 * KB).buffer).toBe(big.buffer);
  });

  it('ignores buffers it did not lend, buffers given twice, and spares beyond its limits', () => {
    const pool = new FrameBufferPool({ maxBuffers: 2, maxBytes: 1024 * KB });
    pool.give(Buffer.alloc(200 * KB));
    expect(pool.spareCount).toBe(0);
    const taken = [pool.take(300 * KB), pool.take(300 * KB), pool.take(300 * KB), pool.take(300 * KB)];
    pool.give(taken[0]!);
    pool.give(taken[0]!);
    expect(pool.spareCount).toBe(1);
    for (const t of taken.slice(1)) pool.give(t);
    expect(pool.spareCount).toBe(2);
  });

  it('does not pool small frames', () => {
    const pool = new FrameBufferPool({ maxBuffers: 4, maxBytes: 1024 * KB });
    const small = pool.take(100);
    expect(small.length).toBe(100);
    pool.give(small);
    expect(pool.spareCount).toBe(0);
  });
});
