import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import { Broker } from '../../../lib/broker/broker.js';
import type { BrokerConfig } from '../../../lib/broker/broker-config.js';
import type { BrokerSession } from '../../../lib/broker/broker-session.js';
import type { SendMessagesRequest } from '../../../lib/protocol/commands/messages/index.js';
import type { PollInput } from '../../../lib/protocol/iggy-session.js';
import { BrokerError } from '../../../lib/broker/broker-error.js';
import { MessageLayout } from '../../../lib/protocol/messages/message-layout.js';
import { IggyErrorCode, type IggyErrorName } from '../../../lib/protocol/codes/error-codes.js';
import { Transport } from '../../../lib/broker/types.js';

/** One message to encode: payload text (or bytes), optional id, user headers bytes, reserved. */
export interface TestMessage {
  payload: string | Buffer;
  id?: bigint;
  headers?: Buffer;
  reserved?: bigint;
}

/** Messages in wire layout, back to back, as a send-messages request carries them. */
export function batch(messages: (TestMessage | string)[]): Buffer {
  return Buffer.concat(
    messages.map((m) => {
      const msg = typeof m === 'string' ? { payload: m } : m;
      const payload = typeof msg.payload === 'string' ? Buffer.from(msg.payload) : msg.payload;
      const headers = msg.headers ?? Buffer.alloc(0);
      const header = Buffer.alloc(MessageLayout.headerBytes);
      const id = msg.id ?? 0n;
      header.writeBigUInt64LE(id & 0xffffffffffffffffn, MessageLayout.id);
      header.writeBigUInt64LE(id >> 64n, MessageLayout.id + 8);
      header.writeBigUInt64LE(42n, MessageLayout.originTimestamp);
      header.writeUInt32LE(headers.length, MessageLayout.userHeadersLength);
      header.writeUInt32LE(payload.length, MessageLayout.payloadLength);
      header.writeBigUInt64LE(msg.reserved ?? 0n, MessageLayout.reserved);
      return Buffer.concat([header, payload, headers]);
    }),
  );
}

/** A decoded polled message. */
export interface PolledMessage {
  offset: bigint;
  timestamp: bigint;
  id: bigint;
  payload: string;
}

/** Splits a poll's messages buffer. */
export function decode(messages: Buffer): PolledMessage[] {
  const out: PolledMessage[] = [];
  let at = 0;
  while (at < messages.length) {
    const payloadLength = messages.readUInt32LE(at + MessageLayout.payloadLength);
    const headersLength = messages.readUInt32LE(at + MessageLayout.userHeadersLength);
    const id =
      messages.readBigUInt64LE(at + MessageLayout.id) |
      (messages.readBigUInt64LE(at + MessageLayout.id + 8) << 64n);
    out.push({
      offset: messages.readBigUInt64LE(at + MessageLayout.offset),
      timestamp: messages.readBigUInt64LE(at + MessageLayout.timestamp),
      id,
      payload: messages.toString('utf8', at + 64, at + 64 + payloadLength),
    });
    at += 64 + payloadLength + headersLength;
  }
  return out;
}

export function payloads(messages: Buffer): string[] {
  return decode(messages).map((m) => m.payload);
}

/** An in-memory broker with a session of the root user, logged in with its password. */
export async function memoryBroker(
  config: BrokerConfig = {},
): Promise<{ broker: Broker; root: BrokerSession }> {
  const broker = await Broker.open({
    persistent: false,
    retentionIntervalMs: 0,
    rootPassword: 'iggy',
    ...config,
  });
  const root = await login(broker, 'iggy', 'iggy');
  return { broker, root };
}

/** A session of a new client, logged in with the password. */
export async function login(broker: Broker, username: string, password: string): Promise<BrokerSession> {
  const client = broker.connect(Transport.Tcp, `127.0.0.1:${50000 + Math.floor(Math.random() * 10000)}`);
  await client.login(username, password);
  return client;
}

/** A poll with the messages as one buffer in wire layout (as the log holds them) and their count. */
export async function pollBytes(
  client: BrokerSession,
  request: PollInput,
): Promise<{ partitionId: number; currentOffset: bigint; count: number; messages: Buffer }> {
  const { partitionId, currentOffset, messages } = await client.pollMessagesRun(request);
  return { partitionId, currentOffset, count: messages.count, messages: messages.bytes };
}

/**
 * Sends, and tells where the batch landed (a send answers nothing): the partition whose messages count
 * grew, the offset its first message took there (the one after the partition's last) and its last one's.
 */
export async function sendLanded(
  client: BrokerSession,
  request: SendMessagesRequest,
): Promise<{ partitionId: number; firstOffset: bigint; lastOffset: bigint }> {
  const topic = { streamId: request.streamId, topicId: request.topicId };
  const before = (await client.getTopic(topic))!.partitions;
  await client.sendMessages(request);
  const after = (await client.getTopic(topic))!.partitions;
  const partitionId = after.findIndex((p, i) => p.messagesCount !== before[i]!.messagesCount);
  const was = before[partitionId]!;
  const firstOffset = was.messagesCount === 0n ? 0n : was.currentOffset + 1n;
  return { partitionId, firstOffset, lastOffset: after[partitionId]!.currentOffset };
}

/** A fresh temporary data directory, removed by `cleanup`. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'iggy-broker-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Expects `action` to fail with a BrokerError of the named Iggy code. */
export async function expectCode(
  action: (() => unknown) | Promise<unknown>,
  name: IggyErrorName,
): Promise<BrokerError> {
  let error: unknown;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(BrokerError);
  const brokerError = error as BrokerError;
  expect(brokerError.codeName).toBe(name);
  expect(brokerError.code).toBe(IggyErrorCode[name]);
  return brokerError;
}
