import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import type { BinaryReader } from '../../primitives/binary-reader.js';
import { ProtocolError } from '../../protocol-error.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty } from '../payload.js';

export const ClusterNodeRole = { Leader: 0, Follower: 1 } as const;
export type ClusterNodeRoleValue = (typeof ClusterNodeRole)[keyof typeof ClusterNodeRole];

export const ClusterNodeStatus = {
  Healthy: 0,
  Starting: 1,
  Stopping: 2,
  Unreachable: 3,
  Maintenance: 4,
  Unknown: 5,
} as const;
export type ClusterNodeStatusValue = (typeof ClusterNodeStatus)[keyof typeof ClusterNodeStatus];

/** A node's ports (u16 each). */
export interface TransportEndpoints {
  tcp: number;
  quic: number;
  http: number;
  websocket: number;
}

export interface ClusterNode {
  name: string;
  ip: string;
  endpoints: TransportEndpoints;
  role: ClusterNodeRoleValue;
  status: ClusterNodeStatusValue;
}

/** GetClusterMetadata response. A single server reports a cluster of one. */
export interface ClusterMetadata {
  name: string;
  nodes: ClusterNode[];
}

function encodeResponse(m: ClusterMetadata): Buffer {
  return encodePayload((w) => {
    w.str32(m.name).u32(m.nodes.length);
    for (const n of m.nodes) {
      w.str32(n.name).str32(n.ip);
      w.u16(n.endpoints.tcp).u16(n.endpoints.quic).u16(n.endpoints.http).u16(n.endpoints.websocket);
      w.u8(n.role).u8(n.status);
    }
  });
}

function readNode(r: BinaryReader): ClusterNode {
  const name = r.str32('node name');
  const ip = r.str32('node ip');
  const endpoints = {
    tcp: r.u16('tcp port'),
    quic: r.u16('quic port'),
    http: r.u16('http port'),
    websocket: r.u16('websocket port'),
  };
  const role = r.u8('node role');
  if (role > ClusterNodeRole.Follower)
    throw new ProtocolError('InvalidValue', `${r.context}: node role ${role}`);
  const status = r.u8('node status');
  if (status > ClusterNodeStatus.Unknown)
    throw new ProtocolError('InvalidValue', `${r.context}: node status ${status}`);
  return {
    name,
    ip,
    endpoints,
    role: role as ClusterNodeRoleValue,
    status: status as ClusterNodeStatusValue,
  };
}

function decodeResponse(payload: Buffer): ClusterMetadata {
  return decodePayload(payload, 'GetClusterMetadata response', (r) => {
    const name = r.str32('cluster name');
    const count = r.u32('nodes count');
    const nodes: ClusterNode[] = [];
    for (let i = 0; i < count; i++) nodes.push(readNode(r));
    return { name, nodes };
  });
}

/** GetClusterMetadata (12): empty request; the response is `ClusterMetadata`. */
export const getClusterMetadataCodec: CommandCodec<void, ClusterMetadata> = {
  name: 'GetClusterMetadata',
  code: CommandCode.GetClusterMetadata,
  encodeRequest: () => emptyPayload(),
  decodeRequest: (payload) => expectEmpty(payload, 'GetClusterMetadata request'),
  encodeResponse,
  decodeResponse,
};
