// displaySafe: the one helper every view, the status bar, tooltips, quick picks and the webview pages
// pass database text through before people read it.
import { describe, expect, it } from 'vitest';
import { compareText } from '../../src/data/incremental';
import { DISPLAY_MAX_CHARS, displaySafe, REPLACEMENT_CHARACTER } from '../../src/data/text';
import { HOSTILE, LONG_LINE } from '../support/hostile';

/** Characters that must never reach a reader: C0/C1 controls (but tab and newline) and bidi controls. */
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const R = REPLACEMENT_CHARACTER;

describe('displaySafe', () => {
  it('shows bidi overrides, isolates and marks as U+FFFD instead of letting them reorder the text', () => {
    expect(displaySafe('invoice\u202Egnp.exe')).toBe(`invoice${R}gnp.exe`);
    expect(displaySafe('a\u2066b\u2069c\u200Fd\u200Ee\u061Cf')).toBe(`a${R}b${R}c${R}d${R}e${R}f`);
    for (const code of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
      expect(displaySafe(`x${String.fromCharCode(code)}y`)).toBe(`x${R}y`);
    }
  });

  it('replaces C0 and C1 controls, folds whitespace to one line by default', () => {
    expect(displaySafe('bell\u0007 esc\u001b[31mred\u001b[0m del\u007f nel\u0085 csi\u009b')).toBe(
      `bell${R} esc${R}[31mred${R}[0m del${R} nel${R} csi${R}`,
    );
    expect(displaySafe('before\u0000after')).toBe(`before${R}after`);
    expect(displaySafe('  line one\r\nline two\rthree\u2028four\u2029five\tsix  ')).toBe(
      'line one line two three four five six',
    );
    // Vertical tab and form feed are controls, not spacing, here.
    expect(displaySafe('a\u000bb\u000cc')).toBe(`a${R}b${R}c`);
  });

  it('keeps line breaks and tabs in multi-line text, normalised to \\n', () => {
    expect(displaySafe('one\r\n\ttwo\rthree\u2028four\u0007', { multiline: true })).toBe(
      `one\n\ttwo\nthree\nfour${R}`,
    );
  });

  it('leaves ordinary text alone, emoji, zero-width joiners and right-to-left letters included', () => {
    for (const text of [
      'acme/widgets',
      '🚀 agent 👩‍💻 done ✅ 🇫🇷',
      'שלום עולם',
      '$\u200d(alert)',
      '<b>&amp;</b>',
    ]) {
      expect(displaySafe(text)).toBe(text);
    }
    expect(displaySafe(null)).toBe('');
    expect(displaySafe(undefined)).toBe('');
  });

  it('caps extreme lengths with an ellipsis, without splitting a surrogate pair', () => {
    const shown = displaySafe(LONG_LINE);
    expect(shown).toHaveLength(DISPLAY_MAX_CHARS);
    expect(shown.startsWith('<b>start</b>xxx')).toBe(true);
    expect(shown.endsWith('x…')).toBe(true);
    expect(displaySafe('abcdef', { max: 4 })).toBe('abc…');
    expect(displaySafe('abcd', { max: 4 })).toBe('abcd');
    expect(displaySafe('ab😀cd', { max: 4 })).toBe('ab…');
    expect(displaySafe(LONG_LINE, { max: Number.POSITIVE_INFINITY })).toHaveLength(LONG_LINE.length);
  });

  it.each(HOSTILE.map((entry) => [entry.name, entry.text] as const))(
    'leaves nothing invisible in %s',
    (_name, text) => {
      for (const shown of [displaySafe(text), displaySafe(text, { multiline: true })]) {
        expect(shown).not.toMatch(INVISIBLE);
        expect(shown).not.toMatch(/\r/);
        expect(shown.length).toBeLessThanOrEqual(DISPLAY_MAX_CHARS);
      }
      expect(displaySafe(text)).not.toMatch(/[\n\t]/);
    },
  );
});

describe('compareText', () => {
  it("orders by code point like SQLite's BINARY collation, not by UTF-16 unit", () => {
    // U+FF01 (one UTF-16 unit) comes before U+1F600 (a surrogate pair) in code point order.
    expect(['o/😀emoji', 'o/！wide', 'o/a'].sort(compareText)).toEqual(['o/a', 'o/！wide', 'o/😀emoji']);
    expect(compareText('abc', 'abd')).toBeLessThan(0);
    expect(compareText('ab', 'abc')).toBeLessThan(0);
    expect(compareText('2026-03-15T12:00:00.5Z', '2026-03-15T12:00:00.5Z')).toBe(0);
  });

  it('agrees with a UTF-8 byte comparison on random strings', () => {
    const pool = ['a', 'z', 'é', '！', '\uffff', '😀', '𝄞', '\u0000', '~'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const strings = Array.from({ length: 300 }, () =>
      Array.from({ length: next() % 5 }, () => pool[next() % pool.length]).join(''),
    );
    const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
    expect([...strings].sort(compareText)).toEqual([...strings].sort(byBytes));
  });
});
