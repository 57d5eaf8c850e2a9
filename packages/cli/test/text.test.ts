/** Cutting text to a terminal's width: wide characters count two columns, graphemes are never split. */
import { describe, expect, it } from 'vitest';
import { columns, fit, printable } from '../src/terminal.js';

describe('fit', () => {
  it.each([
    ['ASCII', 'nullspace:sb_1/upl_1  in_progress  [██████░░░░] 60%', 1],
    ['CJK (two columns each)', '文書のアップロードは処理中です', 2],
    ['emoji and a family grapheme', '📄📄👨‍👩‍👧‍👦📄📄📄', 2],
    ['combining marks', 'e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301', 1],
  ])('%s: never wider than asked, at every width', (_name, text, widest) => {
    for (let width = 1; width <= columns(text) + 2; width += 1) {
      const cut = fit(text, width);
      expect(columns(cut), `${width}: ${cut}`).toBeLessThanOrEqual(width);
      // Cut only when it did not fit, and then ending in "…" with at most one column wasted by a wide character.
      if (columns(text) <= width) expect(cut).toBe(text);
      else {
        expect(cut.endsWith('…')).toBe(true);
        expect(columns(cut)).toBeGreaterThanOrEqual(width - widest);
        expect(text.startsWith(cut.slice(0, -1))).toBe(true);
      }
    }
  });

  it('keeps a grapheme whole: the family emoji is in or out, never half', () => {
    const family = '👨‍👩‍👧‍👦';
    for (let width = 1; width <= 8; width += 1) {
      const cut = fit(`ab${family}cd`, width).replace('…', '');
      expect([`ab${family}cd`.slice(0, cut.length)]).toContain(cut);
      if (cut.length > 2) expect(cut.startsWith(`ab${family}`)).toBe(true);
    }
  });
});

describe('printable', () => {
  it('spells out C0 and C1 controls and bidi overrides, and leaves other text alone', () => {
    expect(printable('a\u001b[2Jb\u009bc\u202ed\u0007')).toBe('a\\u{1b}[2Jb\\u{9b}c\\u{202e}d\\u{7}');
    const safe = 'Pending — 文書 📄 ░█';
    expect(printable(safe)).toBe(safe);
  });
});
