import { BrokerError } from '../broker-error.js';
import type { Permissions, StreamPermissions, TopicPermissions } from '../types.js';

/**
 * The real server's permission rules (0.7.0 metadata reader `perm_*`): global flags first, then the
 * stream's entry, then the topic's entry. `null` permissions allow nothing.
 */
export const Rights = {
  readServers: (p: Permissions | null): boolean => !!p && (p.global.manageServers || p.global.readServers),
  manageUsers: (p: Permissions | null): boolean => !!p && p.global.manageUsers,
  readUsers: (p: Permissions | null): boolean => !!p && (p.global.manageUsers || p.global.readUsers),
  createStream: (p: Permissions | null): boolean => !!p && p.global.manageStreams,
  readStreams: (p: Permissions | null): boolean => !!p && (p.global.manageStreams || p.global.readStreams),

  readStream(p: Permissions | null, streamId: number): boolean {
    if (Rights.readStreams(p)) return true;
    const s = stream(p, streamId);
    return !!s && (s.manageStream || s.readStream);
  },

  manageStream(p: Permissions | null, streamId: number): boolean {
    if (p?.global.manageStreams) return true;
    return !!stream(p, streamId)?.manageStream;
  },

  readTopics(p: Permissions | null, streamId: number): boolean {
    if (
      p &&
      (p.global.readStreams || p.global.manageStreams || p.global.manageTopics || p.global.readTopics)
    ) {
      return true;
    }
    const s = stream(p, streamId);
    return !!s && (s.manageStream || s.readStream || s.manageTopics || s.readTopics);
  },

  readTopic(p: Permissions | null, streamId: number, topicId: number): boolean {
    if (Rights.readTopics(p, streamId)) return true;
    const t = topic(p, streamId, topicId);
    return !!t && (t.manageTopic || t.readTopic);
  },

  createTopic(p: Permissions | null, streamId: number): boolean {
    if (p && (p.global.manageStreams || p.global.manageTopics)) return true;
    const s = stream(p, streamId);
    return !!s && (s.manageStream || s.manageTopics);
  },

  manageTopic(p: Permissions | null, streamId: number, topicId: number): boolean {
    if (Rights.createTopic(p, streamId)) return true;
    return !!topic(p, streamId, topicId)?.manageTopic;
  },

  poll(p: Permissions | null, streamId: number, topicId: number): boolean {
    if (!p) return false;
    const g = p.global;
    if (g.pollMessages || g.readTopics || g.manageTopics || g.readStreams || g.manageStreams) return true;
    const s = stream(p, streamId);
    if (!s) return false;
    if (s.manageStream || s.readStream || s.manageTopics || s.readTopics || s.pollMessages) return true;
    const t = topic(p, streamId, topicId);
    return !!t && (t.manageTopic || t.readTopic || t.pollMessages);
  },

  send(p: Permissions | null, streamId: number, topicId: number): boolean {
    if (!p) return false;
    if (p.global.sendMessages || p.global.manageStreams || p.global.manageTopics) return true;
    const s = stream(p, streamId);
    if (!s) return false;
    if (s.manageStream || s.manageTopics || s.sendMessages) return true;
    const t = topic(p, streamId, topicId);
    return !!t && (t.manageTopic || t.sendMessages);
  },
} as const;

/** Throws Unauthorized (41) unless `allowed`. */
export function authorize(allowed: boolean, userId: number, action: string): void {
  if (!allowed) throw BrokerError.of('Unauthorized', `user ${userId} may not ${action}`);
}

function stream(p: Permissions | null, streamId: number): StreamPermissions | undefined {
  return p?.streams.get(streamId);
}

function topic(p: Permissions | null, streamId: number, topicId: number): TopicPermissions | undefined {
  return stream(p, streamId)?.topics.get(topicId);
}
