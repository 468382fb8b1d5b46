/*
 * Why not a library: @node-rs/xxhash (the maintained binding, still used for XXH32 and as the reference
 * in tests) hashes XXH3 at about 0.7 GB/s and costs ~0.85 µs per call, with no way to hash many messages
 * in one call; on append that was 45-85 % of a batch (bench/broker.ts). xxh3.wat is XXH3-64 written from
 * the algorithm's specification, 7-9 GB/s, hashing a whole batch per call. Tests check it against
 * @node-rs/xxhash for every length up to 3,000 bytes and for long inputs, and that xxh3-wasm.ts is the
 * compiled xxh3.wat.
 */
import { dataViewOf } from './buffer-view.js';
import { MessageLayout } from './message-layout.js';
import { XXH3_WASM_BASE64 } from './xxh3-wasm.js';

/** What is used of the WebAssembly API (neither the ES lib nor @types/node 20 declares it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
};

interface Xxh3Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  xxh3(at: number, length: number): bigint;
  checksums(run: number, ends: number, count: number, out: number): void;
}

/** Where the caller's bytes start in the module's memory (the secret sits below). */
const BASE = 256;
const PAGE = 64 * 1024;
/** Messages are hashed in chunks of about this many bytes (a bigger message gets a chunk of its own). */
const CHUNK_BYTES = 1024 * 1024;
/** A module whose memory grew past this (for a huge message) is dropped afterwards, so the memory goes too. */
const KEEP_BYTES = 4 * CHUNK_BYTES;
const U64_MASK = (1n << 64n) - 1n;

const compiled = new WebAssembly.Module(Buffer.from(XXH3_WASM_BASE64, 'base64'));
let instance: Xxh3Exports | null = null;

/** The module with at least `bytes` of memory from BASE on. */
function xxh3With(bytes: number): Xxh3Exports {
  instance ??= new WebAssembly.Instance(compiled).exports as Xxh3Exports;
  const missing = BASE + bytes - instance.memory.buffer.byteLength;
  if (missing > 0) instance.memory.grow(Math.ceil(missing / PAGE));
  return instance;
}

function release(module: Xxh3Exports): void {
  if (module.memory.buffer.byteLength > KEEP_BYTES) instance = null;
}

/** XXH3-64, seed 0, of one encoded message's bytes after its checksum field: what the server stamps. */
export function messageChecksum(message: Buffer): bigint {
  const body = message.subarray(MessageLayout.id);
  const module = xxh3With(body.length);
  new Uint8Array(module.memory.buffer, BASE, body.length).set(body);
  const checksum = module.xxh3(BASE, body.length) & U64_MASK;
  release(module);
  return checksum;
}

/**
 * Computes the checksum of every message of `run` (message i ends at `ends[i]`, exclusive) and writes it
 * into the message's checksum field; the rest of the header must be stamped already.
 */
export function stampChecksums(run: Buffer, ends: Uint32Array): void {
  const view = dataViewOf(run);
  hashMessages(run, ends, (_index, at, low, high) => {
    view.setUint32(at + MessageLayout.checksum, low, true);
    view.setUint32(at + MessageLayout.checksum + 4, high, true);
    return true;
  });
}

/**
 * The index of the first message of `run` (message i ends at `ends[i]`) whose stored checksum does not
 * match its bytes, or -1 when all match. Hashes the run in a few calls, like `stampChecksums`.
 */
export function firstChecksumMismatch(run: Buffer, ends: Uint32Array): number {
  const view = dataViewOf(run);
  let bad = -1;
  hashMessages(run, ends, (i, at, low, high) => {
    const ok =
      view.getUint32(at + MessageLayout.checksum, true) === low &&
      view.getUint32(at + MessageLayout.checksum + 4, true) === high;
    if (!ok) bad = i;
    return ok;
  });
  return bad;
}

/**
 * Hashes the messages of `run` in chunks of about CHUNK_BYTES and tells `each` every message's index,
 * start and checksum (low and high 32 bits) in order; stops when `each` returns false.
 */
function hashMessages(
  run: Buffer,
  ends: Uint32Array,
  each: (index: number, at: number, low: number, high: number) => boolean,
): void {
  let first = 0;
  let start = 0;
  while (first < ends.length) {
    let last = first + 1;
    while (last < ends.length && ends[last]! - start <= CHUNK_BYTES) last++;
    const count = last - first;
    const length = ends[last - 1]! - start;
    // Memory from BASE: the chunk's ends (u32, relative to the chunk), its checksums (u64), its bytes.
    const outAt = BASE + ((4 * count + 7) & ~7);
    const dataAt = outAt + 8 * count;
    const module = xxh3With(dataAt - BASE + length);
    const memory = new DataView(module.memory.buffer);
    for (let i = 0; i < count; i++) memory.setUint32(BASE + 4 * i, ends[first + i]! - start, true);
    new Uint8Array(module.memory.buffer, dataAt, length).set(run.subarray(start, start + length));
    module.checksums(dataAt, BASE, count, outAt);
    let at = start;
    for (let i = 0; i < count; i++) {
      const low = memory.getUint32(outAt + 8 * i, true);
      const high = memory.getUint32(outAt + 8 * i + 4, true);
      if (!each(first + i, at, low, high)) {
        release(module);
        return;
      }
      at = ends[first + i]!;
    }
    release(module);
    start = at;
    first = last;
  }
}
