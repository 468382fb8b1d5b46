import { join } from 'node:path';

const SEGMENT_FILE = /^(\d{20})\.(log|index)$/;

/** `{startOffset:020}.log` or `.index`, the real server's naming. */
export function segmentFileName(startOffset: bigint, kind: 'log' | 'index'): string {
  return `${startOffset.toString().padStart(20, '0')}.${kind}`;
}

export function segmentPaths(dir: string, startOffset: bigint): { log: string; index: string } {
  return {
    log: join(dir, segmentFileName(startOffset, 'log')),
    index: join(dir, segmentFileName(startOffset, 'index')),
  };
}

/** The start offset and kind a segment file name encodes, or null for any other name. */
export function parseSegmentFileName(name: string): { startOffset: bigint; kind: 'log' | 'index' } | null {
  const match = SEGMENT_FILE.exec(name);
  if (!match) return null;
  const startOffset = BigInt(match[1]!);
  if (startOffset > 0xffffffffffffffffn) return null;
  return { startOffset, kind: match[2] as 'log' | 'index' };
}
