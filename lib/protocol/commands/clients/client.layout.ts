import type { BinaryReader } from '../../primitives/binary-reader.js';
import type { BinaryWriter } from '../../primitives/binary-writer.js';
import { ProtocolError } from '../../protocol-error.js';

/** How a client is connected. */
export const Transport = { Tcp: 1, Quic: 2, Http: 3, WebSocket: 4 } as const;
export type TransportValue = (typeof Transport)[keyof typeof Transport];

/** u32::MAX in the user id field means "not logged in". */
const NO_USER = 0xffffffff;

/** One connected client (GetClients entry). */
export interface ClientInfo {
  clientId: number;
  /** null while the client has not logged in. */
  userId: number | null;
  transport: TransportValue;
  /** `ip:port` as the server saw it. */
  address: string;
  consumerGroupsCount: number;
}

/** A consumer group a client has joined. */
export interface ClientConsumerGroup {
  streamId: number;
  topicId: number;
  groupId: number;
}

/** GetClient / GetMe response: the client and the groups it has joined. */
export interface ClientDetails extends ClientInfo {
  consumerGroups: ClientConsumerGroup[];
}

export function writeClientInfo(w: BinaryWriter, c: ClientInfo): void {
  if (c.userId === NO_USER) {
    throw new ProtocolError(
      'InvalidValue',
      `client ${c.clientId}: user id ${NO_USER} is reserved for "none"`,
    );
  }
  w.u32(c.clientId)
    .u32(c.userId ?? NO_USER)
    .u8(c.transport)
    .str32(c.address)
    .u32(c.consumerGroupsCount);
}

export function readClientInfo(r: BinaryReader): ClientInfo {
  const clientId = r.u32('client id');
  const userId = r.u32('user id');
  const transport = r.u8('transport');
  if (transport < Transport.Tcp || transport > Transport.WebSocket) {
    throw new ProtocolError('InvalidValue', `${r.context}: transport ${transport} is not 1..4`);
  }
  const address = r.str32('address');
  const consumerGroupsCount = r.u32('consumer groups count');
  return {
    clientId,
    userId: userId === NO_USER ? null : userId,
    transport: transport as TransportValue,
    address,
    consumerGroupsCount,
  };
}

export function writeClientDetails(w: BinaryWriter, c: ClientDetails): void {
  if (c.consumerGroupsCount !== c.consumerGroups.length) {
    throw new ProtocolError(
      'InvalidValue',
      `client ${c.clientId}: consumerGroupsCount ${c.consumerGroupsCount} != ${c.consumerGroups.length} groups listed`,
    );
  }
  writeClientInfo(w, c);
  for (const g of c.consumerGroups) w.u32(g.streamId).u32(g.topicId).u32(g.groupId);
}

export function readClientDetails(r: BinaryReader): ClientDetails {
  const info = readClientInfo(r);
  const consumerGroups: ClientConsumerGroup[] = [];
  for (let i = 0; i < info.consumerGroupsCount; i++) {
    consumerGroups.push({
      streamId: r.u32('group stream id'),
      topicId: r.u32('group topic id'),
      groupId: r.u32('group id'),
    });
  }
  return { ...info, consumerGroups };
}
