import { HeaderKind, type HeaderField } from './header-field.js';

/** Keys remembered in all (a peer sending ever new keys fills it once; then keys are decoded as usual). */
const MAX_KEYS = 256;
const MAX_KEY_BYTES = 64;

/**
 * The string header keys seen so far, each as one frozen `HeaderField` that every decoded message shares:
 * a message's keys are nearly always the same few names (`event_id`, `tenant_id`...), and decoding them
 * anew made two objects and a string per header per message. ASCII keys only (their bytes are their
 * char codes).
 */
const byLength = new Map<number, HeaderField[]>();
let remembered = 0;

/** The shared field for the string key in `buf[start, end)`; undefined when it is not remembered. */
export function knownStringKey(buf: Buffer, start: number, end: number): HeaderField | undefined {
  const candidates = byLength.get(end - start);
  if (candidates === undefined) return undefined;
  for (let c = 0; c < candidates.length; c++) {
    const field = candidates[c]!;
    const text = field.value as string;
    let i = 0;
    while (i < text.length && text.charCodeAt(i) === buf[start + i]) i++;
    if (i === text.length) return field;
  }
  return undefined;
}

/** `key` as a string key field, remembered (when ASCII, short, and there is room) for `knownStringKey`. */
export function rememberStringKey(key: string): HeaderField {
  const field: HeaderField = Object.freeze({ kind: HeaderKind.String, value: key });
  if (remembered >= MAX_KEYS || key.length > MAX_KEY_BYTES || !/^[\x20-\x7e]+$/.test(key)) return field;
  let candidates = byLength.get(key.length);
  if (!candidates) byLength.set(key.length, (candidates = []));
  candidates.push(field);
  remembered++;
  return field;
}
