const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Where `text` (of `utf8Bytes` UTF-8 bytes) holds half of a surrogate pair alone, or -1. UTF-8 cannot
 * carry one: it would arrive as U+FFFD, another string than the one sent (`String.isWellFormed` is
 * ES2024, past this package's language level).
 */
export function loneSurrogateAt(text: string, utf8Bytes: number): number {
  if (utf8Bytes === text.length) return -1; // ASCII only
  return text.search(LONE_SURROGATE);
}

export function loneSurrogateReason(at: number): string {
  return `holds a lone surrogate at index ${at}, which UTF-8 cannot carry`;
}
