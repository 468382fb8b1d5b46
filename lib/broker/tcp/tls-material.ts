import { readFileSync } from 'node:fs';

/** A certificate (chain) and its private key: PEM text, PEM Buffers, or paths of PEM files. */
export interface TlsMaterial {
  cert: string | Buffer;
  key: string | Buffer;
}

/** Reads file paths; PEM text and Buffers are used as they are. */
export function loadTlsMaterial(material: TlsMaterial): { cert: Buffer; key: Buffer } {
  return { cert: pem(material.cert, 'certificate'), key: pem(material.key, 'private key') };
}

function pem(value: string | Buffer, what: string): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value.includes('-----BEGIN')) return Buffer.from(value);
  try {
    return readFileSync(value);
  } catch (error) {
    throw new Error(`cannot read the TLS ${what} from ${value}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
