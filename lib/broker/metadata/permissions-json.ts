import type { GlobalPermissions, Permissions, StreamPermissions, TopicPermissions } from '../types.js';

/** Permissions as JSON (the Maps as arrays of [id, value]). */
export interface PermissionsJson {
  global: GlobalPermissions;
  streams: [number, Omit<StreamPermissions, 'topics'> & { topics: [number, TopicPermissions][] }][];
}

export function encodePermissions(p: Permissions): PermissionsJson {
  return {
    global: { ...p.global },
    streams: [...p.streams].map(([id, s]) => [
      id,
      { ...s, topics: [...s.topics].map(([tid, t]) => [tid, { ...t }]) },
    ]),
  };
}

export function decodePermissions(json: PermissionsJson): Permissions {
  return {
    global: { ...json.global },
    streams: new Map(
      json.streams.map(([id, s]) => [
        id,
        { ...s, topics: new Map(s.topics.map(([tid, t]) => [tid, { ...t }])) },
      ]),
    ),
  };
}
