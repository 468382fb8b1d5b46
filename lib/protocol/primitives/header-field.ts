/** Kinds of a user header key or value (server 0.7.0 `HeaderKind` codes). */
export const HeaderKind = {
  Raw: 1,
  String: 2,
  Bool: 3,
  Int8: 4,
  Int16: 5,
  Int32: 6,
  Int64: 7,
  Int128: 8,
  Uint8: 9,
  Uint16: 10,
  Uint32: 11,
  Uint64: 12,
  Uint128: 13,
  Float32: 14,
  Float64: 15,
} as const;
export type HeaderKindValue = (typeof HeaderKind)[keyof typeof HeaderKind];

type K = typeof HeaderKind;
/** One typed header key or value. 64- and 128-bit integers are bigints, the rest numbers. */
export type HeaderField =
  | { kind: K['Raw']; value: Buffer }
  | { kind: K['String']; value: string }
  | { kind: K['Bool']; value: boolean }
  | {
      kind:
        | K['Int8']
        | K['Int16']
        | K['Int32']
        | K['Uint8']
        | K['Uint16']
        | K['Uint32']
        | K['Float32']
        | K['Float64'];
      value: number;
    }
  | { kind: K['Int64'] | K['Int128'] | K['Uint64'] | K['Uint128']; value: bigint };

/** One user header. Keys may be of any kind, though string keys are what everyone uses. */
export interface HeaderEntry {
  key: HeaderField;
  value: HeaderField;
}

/** A message's user headers, in wire order (the server keeps them in a hash map, so order is not kept). */
export type UserHeaders = HeaderEntry[];
