import { EnvelopeValidationError, type MessageLocation } from './event-errors.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Throws `EnvelopeValidationError` for `field` when `text` (of `utf8Bytes` UTF-8 bytes) holds half of a
 * surrogate pair alone. UTF-8 cannot carry one: it would arrive as U+FFFD, another string than the one
 * sent (`String.isWellFormed` is ES2024, past this package's language level).
 */
export function checkWellFormed(
  text: string,
  utf8Bytes: number,
  field: string,
  location?: MessageLocation,
): void {
  if (utf8Bytes === text.length) return; // ASCII only
  const at = text.search(LONE_SURROGATE);
  if (at >= 0) {
    throw new EnvelopeValidationError(
      field,
      `holds a lone surrogate at index ${at}, which UTF-8 cannot carry`,
      location,
    );
  }
}
