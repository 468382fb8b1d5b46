/**
 * The server release whose answers the broker gives where 0.7 and 0.8 differ on the wire: GetStats (0.8
 * appends threads count and disk space) and StoreConsumerOffset (0.8 refuses an offset past the
 * partition's current one, or on a partition that never held a message, with InvalidOffset).
 */
export type ServerGeneration = '0.7' | '0.8';

/** `0.7.x` (or older) → 0.7; anything later, or unparsable → 0.8, the latest release spoken. */
export function generationOfServerVersion(version: string): ServerGeneration {
  const match = /^(\d+)\.(\d+)/.exec(version);
  if (!match) return '0.8';
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major === 0 && minor <= 7 ? '0.7' : '0.8';
}

/**
 * The release a client was built for, from the `version` its LoginUser carries: the official Rust SDK
 * sends its crate version, 0.9.x with server 0.7 and 0.10.x with server 0.8. Other clients (the Node SDK
 * sends no version) cannot be told apart: undefined, and the broker's own generation applies.
 */
export function generationOfClientVersion(version: string | undefined): ServerGeneration | undefined {
  const match = version === undefined ? null : /^0\.(\d+)\.\d+/.exec(version);
  if (!match) return undefined;
  const minor = Number(match[1]);
  if (minor === 9) return '0.7';
  if (minor === 10) return '0.8';
  return undefined;
}
