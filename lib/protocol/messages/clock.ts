/** Microseconds since the Unix epoch (wall clock, millisecond resolution): the unit of Iggy message timestamps. */
export function nowMicros(): bigint {
  return BigInt(Date.now()) * 1000n;
}
