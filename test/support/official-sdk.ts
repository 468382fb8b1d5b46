import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The official Iggy Node SDK (github apache/iggy, foreign/node), when a built copy is named by
 * `IGGY_NODE_SDK` (its folder, holding `dist/index.js`). It is never part of this repository: tests that
 * use it skip, saying so, when it is not there. Only the calls the tests make are typed here.
 */
export interface OfficialSdk {
  Client: new (config: {
    transport: 'TCP' | 'TLS';
    options: Record<string, unknown>;
    credentials: { username: string; password: string } | { token: string };
    reconnect?: { enabled: boolean; interval: number; maxRetries: number };
  }) => OfficialClient;
  Partitioning: { PartitionId(id: number): unknown; Balanced: unknown };
  Consumer: { Single: unknown; Group(id: number | string): unknown };
  PollingStrategy: { First: unknown; Next: unknown };
}

export interface OfficialClient {
  system: { ping(): Promise<boolean> };
  stream: {
    list(): Promise<{ name: string }[]>;
    get(r: { streamId: number | string }): Promise<unknown>;
    create(r: { name: string }): Promise<{ id: number }>;
  };
  topic: { create(r: Record<string, unknown>): Promise<unknown> };
  group: {
    join(r: {
      streamId: number | string;
      topicId: number | string;
      groupId: number | string;
    }): Promise<boolean>;
  };
  message: {
    send(r: Record<string, unknown>): Promise<boolean>;
    poll(
      r: Record<string, unknown>,
    ): Promise<{ messages: { payload: Buffer; headers?: unknown; offset?: bigint }[] }>;
  };
  destroy(): void;
  on(event: string, listener: (e?: unknown) => void): void;
}

/** Where the SDK is looked for. */
export const OFFICIAL_SDK_DIR = process.env.IGGY_NODE_SDK;

/** The SDK, or null (with the reason printed once) when `IGGY_NODE_SDK` does not name a built one. */
export async function loadOfficialSdk(): Promise<OfficialSdk | null> {
  const entry = OFFICIAL_SDK_DIR && join(OFFICIAL_SDK_DIR, 'dist', 'index.js');
  if (!entry || !existsSync(entry)) {
    console.warn(
      `official Node SDK not found (set IGGY_NODE_SDK to a built apache/iggy foreign/node folder): its cases are skipped`,
    );
    return null;
  }
  return (await import(pathToFileURL(entry).href)) as OfficialSdk;
}

/** True when `IGGY_NODE_SDK` names a built SDK (decided before the tests are declared). */
export const officialSdkPresent = (): boolean =>
  !!OFFICIAL_SDK_DIR && existsSync(join(OFFICIAL_SDK_DIR, 'dist', 'index.js'));
