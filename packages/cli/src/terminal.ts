/**
 * Text for terminals: what a vendor's text may not bring to a screen, and how wide text is in columns.
 */
import stringWidth from 'string-width';

/**
 * C0 and C1 control characters (an escape sequence starts with one) and the Unicode bidirectional overrides: a
 * vendor's status value or detail must not move the cursor, clear the screen or reorder what is shown.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Replaces each control or bidi-override character with `\u{…}` spelled out, so it is seen, not obeyed. */
export function printable(text: string): string {
  return text.replace(UNSAFE, (character) => `\\u{${(character.codePointAt(0) ?? 0).toString(16)}}`);
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Columns a text takes on a terminal. East Asian "ambiguous" characters (the progress bar's █ and ░ among them)
 * count as one column, as terminals show them outside CJK locales; wide characters (CJK, most emoji) as two.
 */
export function columns(text: string): number {
  return stringWidth(text, { ambiguousIsNarrow: true, countAnsiEscapeCodes: true });
}

/** The text cut to at most `width` columns, ending in "…" when cut; never splits a character or a grapheme. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  if (columns(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const size = columns(segment);
    if (used + size > width - 1) break;
    out += segment;
    used += size;
  }
  return `${out}…`;
}
