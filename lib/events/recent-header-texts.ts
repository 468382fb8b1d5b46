/** Texts held per field before the table starts again (a field with ever new values keeps decoding as usual). */
const CAPACITY = 256;
/** Longer values are decoded each time: hashing them costs about what decoding does. */
const MAX_BYTES = 64;

/**
 * The ASCII texts one envelope header carried lately, each one shared string: a run of messages mostly
 * repeats a field's value (the same type, version, tenant, content type, the millisecond's timestamp),
 * so a value seen lately is not decoded again, and checks memoised by identity (`LastPassed`) hit.
 */
export class RecentHeaderTexts {
  private readonly byHash = new Map<number, string>();

  /** The text of the ASCII bytes `buf[start, end)`. */
  text(buf: Buffer, start: number, end: number): string {
    if (end - start > MAX_BYTES) return buf.toString('latin1', start, end);
    let hash = end - start;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
    const known = this.byHash.get(hash);
    if (known !== undefined && sameText(known, buf, start, end)) return known;
    const text = buf.toString('latin1', start, end);
    if (this.byHash.size >= CAPACITY) this.byHash.clear();
    this.byHash.set(hash, text);
    return text;
  }
}

function sameText(text: string, buf: Buffer, start: number, end: number): boolean {
  if (text.length !== end - start) return false;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== buf[start + i]) return false;
  return true;
}

/** The last text `check` passed and what it returned: a field's value mostly repeats from one message to the next. */
export class LastPassed<T> {
  private last: string | undefined;
  private result!: T;

  constructor(private readonly check: (text: string) => T) {}

  of(text: string): T {
    if (text === this.last) return this.result;
    const result = this.check(text);
    this.last = text;
    this.result = result;
    return result;
  }
}
