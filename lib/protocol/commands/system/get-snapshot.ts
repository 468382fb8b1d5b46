import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { ProtocolError } from '../../protocol-error.js';
import { decodePayload, encodePayload } from '../payload.js';

/** How the server compresses the snapshot archive (a zip). */
export const SnapshotCompression = { Stored: 1, Deflated: 2, Bzip2: 3, Zstd: 4, Lzma: 5, Xz: 6 } as const;
export type SnapshotCompressionValue = (typeof SnapshotCompression)[keyof typeof SnapshotCompression];

/** What goes into the snapshot. */
export const SnapshotType = {
  FilesystemOverview: 1,
  ProcessList: 2,
  ResourceUsage: 3,
  Test: 4,
  ServerLogs: 5,
  ServerConfig: 6,
  All: 100,
} as const;
export type SnapshotTypeValue = (typeof SnapshotType)[keyof typeof SnapshotType];

/** GetSnapshot request: `u8 compression` · `u8 count` · `count × u8 type`. */
export interface GetSnapshotRequest {
  compression: SnapshotCompressionValue;
  types: SnapshotTypeValue[];
}

const compressions = new Set<number>(Object.values(SnapshotCompression));
const types = new Set<number>(Object.values(SnapshotType));

function encodeRequest(req: GetSnapshotRequest): Buffer {
  if (!compressions.has(req.compression)) {
    throw new ProtocolError('InvalidValue', `GetSnapshot: unknown compression ${req.compression}`);
  }
  if (req.types.length > 0xff) {
    throw new ProtocolError('TooLarge', `GetSnapshot: ${req.types.length} snapshot types, max 255`);
  }
  return encodePayload((w) => {
    w.u8(req.compression).u8(req.types.length);
    for (const t of req.types) {
      if (!types.has(t)) throw new ProtocolError('InvalidValue', `GetSnapshot: unknown snapshot type ${t}`);
      w.u8(t);
    }
  }, 2 + req.types.length);
}

function decodeRequest(payload: Buffer): GetSnapshotRequest {
  return decodePayload(payload, 'GetSnapshot request', (r) => {
    const compression = r.u8('compression');
    if (!compressions.has(compression)) {
      throw new ProtocolError('InvalidValue', `${r.context}: unknown compression ${compression}`);
    }
    const count = r.u8('snapshot types count');
    const list: SnapshotTypeValue[] = [];
    for (let i = 0; i < count; i++) {
      const t = r.u8('snapshot type');
      if (!types.has(t)) throw new ProtocolError('InvalidValue', `${r.context}: unknown snapshot type ${t}`);
      list.push(t as SnapshotTypeValue);
    }
    return { compression: compression as SnapshotCompressionValue, types: list };
  });
}

/** GetSnapshot (11): the response is the raw zip archive, passed through as bytes. */
export const getSnapshotCodec: CommandCodec<GetSnapshotRequest, Buffer> = {
  name: 'GetSnapshot',
  code: CommandCode.GetSnapshot,
  encodeRequest,
  decodeRequest,
  encodeResponse: (archive) => archive,
  decodeResponse: (payload) => payload,
};
