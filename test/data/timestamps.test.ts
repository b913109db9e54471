import { describe, expect, it } from 'vitest';
import { formatDuration, formatRelative, formatSeconds, oneLine } from '../../src/data/format';
import { pythonFloatRepr, toPythonJson } from '../../src/data/pythonJson';
import { parseTimestamp, secondsSince, windowCutoffText } from '../../src/data/timestamps';

describe('parseTimestamp', () => {
  it('reads the three formats MergeXO writes as the same instant', () => {
    const whole = parseTimestamp('2026-03-15T12:00:00Z');
    expect(whole).toBe(Date.UTC(2026, 2, 15, 12));
    expect(parseTimestamp('2026-03-15T12:00:00.000Z')).toBe(whole);
    expect(parseTimestamp('2026-03-15T12:00:00.000000Z')).toBe(whole);
  });

  it('keeps milliseconds and rounds microseconds to the millisecond as SQLite does', () => {
    expect(parseTimestamp('2026-03-15T12:00:00.123Z')).toBe(Date.UTC(2026, 2, 15, 12, 0, 0, 123));
    expect(parseTimestamp('2026-03-15T12:00:00.123456Z')).toBe(Date.UTC(2026, 2, 15, 12, 0, 0, 123));
    expect(parseTimestamp('2026-03-15T12:00:00.123789Z')).toBe(Date.UTC(2026, 2, 15, 12, 0, 0, 124));
  });

  it('honours explicit offsets and a space separator', () => {
    expect(parseTimestamp('2026-03-15T13:00:00+01:00')).toBe(Date.UTC(2026, 2, 15, 12));
    expect(parseTimestamp('2026-03-15 12:00:00')).toBe(Date.UTC(2026, 2, 15, 12));
  });

  it.each(['', '-', 'yesterday', '2026-13-45T99:00:00Z', '2026-03-15', null, undefined])(
    'returns null for %j',
    (value) => {
      expect(parseTimestamp(value as string)).toBeNull();
    },
  );
});

describe('secondsSince (julianday arithmetic)', () => {
  const now = Date.UTC(2026, 2, 15, 12);
  it('reproduces the float error of julianday differences bit for bit', () => {
    expect(secondsSince(now, Date.UTC(2026, 2, 15, 11, 55))).toBe(299.99998211860657);
    expect(secondsSince(now, Date.UTC(2026, 2, 14, 10))).toBe(93600.00001341105);
  });
  it('is never negative', () => {
    expect(secondsSince(now, now + 60_000)).toBe(0);
  });
});

describe('windowCutoffText', () => {
  it('writes the cutoff as SQLite strftime with milliseconds', () => {
    const now = Date.UTC(2026, 2, 15, 12);
    expect(windowCutoffText(now, '1h')).toBe('2026-03-15T11:00:00.000Z');
    expect(windowCutoffText(now, '24h')).toBe('2026-03-14T12:00:00.000Z');
    expect(windowCutoffText(now, '7d')).toBe('2026-03-08T12:00:00.000Z');
    expect(windowCutoffText(now, '30d')).toBe('2026-02-13T12:00:00.000Z');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [0.4, '0s'],
    [45.4, '45s'],
    [45.9, '46s'],
    [59.4, '59s'],
    [192, '3m 12s'],
    [7500, '2h 05m'],
    [93600, '1d 02h'],
    [-5, '0s'],
    [Number.NaN, '0s'],
    [Number.POSITIVE_INFINITY, '0s'],
    [null, '0s'],
  ])('%s → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  // Rounded once, before the split into units: never "11m 60s", "59m 60s" or "23h 60m".
  it.each([
    [59.5, '1m 00s'],
    [119.6, '2m 00s'],
    [719.99999, '12m 00s'],
    [3599.4, '59m 59s'],
    [3599.9, '1h 00m'],
    [3599.99998, '1h 00m'],
    [86399.4, '23h 59m'],
    [86399.99, '1d 00h'],
  ])('carries %s up to %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('keeps tenths under a minute for metrics, and carries 59.96 s to a minute', () => {
    expect(formatSeconds(54)).toBe('54.0s');
    expect(formatSeconds(59.94)).toBe('59.9s');
    expect(formatSeconds(59.96)).toBe('1m 00s');
    expect(formatSeconds(1692.001)).toBe('28m 12s');
    expect(formatSeconds(1122.754)).toBe('18m 43s');
  });

  it('formats relative times and placeholders', () => {
    const now = Date.UTC(2026, 2, 15, 12);
    expect(formatRelative('2026-03-15T11:57:00Z', now)).toBe('3m 00s ago');
    expect(formatRelative('-', now)).toBe('-');
    expect(formatRelative('2026-03-15T12:00:02.000Z', now)).toBe('just now');
  });

  it('folds text to one short line', () => {
    expect(oneLine('a\n  b\tc', 10)).toBe('a b c');
    expect(oneLine('x'.repeat(20), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});

describe('Python-compatible JSON', () => {
  it.each([
    [0, '0.0'],
    [1, '1.0'],
    [0.2, '0.2'],
    [259200, '259200.0'],
    [1e16, '1e+16'],
    [1.5e-5, '1.5e-05'],
    [0.0001, '0.0001'],
    [123456789012345.6, '123456789012345.6'],
    [-2.5, '-2.5'],
  ])('repr(%s) = %s', (value, text) => {
    expect(pythonFloatRepr(value)).toBe(text);
  });

  it('escapes non-ASCII and control characters as Python does, keeps bigints exact', () => {
    expect(toPythonJson({ a: 'é\u0001\u007f😀"', n: 2n ** 64n, f: { failure_rate: 1 } })).toBe(
      '{\n  "a": "\\u00e9\\u0001\\u007f\\ud83d\\ude00\\"",\n  "n": 18446744073709551616,\n' +
        '  "f": {\n    "failure_rate": 1.0\n  }\n}',
    );
  });
});
