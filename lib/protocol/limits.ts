/** Size limits of the 0.7 protocol, as the real server enforces them. */
export const Limits = {
  /** Names of streams, topics, groups, users, tokens: 1..255 bytes of UTF-8. */
  maxNameBytes: 255,
  /** Control (non send-messages) frames are capped by the server at 10 MiB. */
  maxControlPayloadBytes: 10 * 1024 * 1024,
  /** One message's payload. */
  maxMessagePayloadBytes: 64_000_000,
  /** One message's user headers, encoded. */
  maxUserHeadersBytes: 100_000,
  /** Partitions per topic. */
  maxPartitions: 1000,
} as const;
