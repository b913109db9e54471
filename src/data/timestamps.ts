// MergeXO writes ISO-8601 UTC text in three precisions (whole seconds, milliseconds, microseconds)
// and computes durations with SQLite's julianday(). These helpers reproduce both exactly, so an
// elapsed time computed here equals MergeXO's to the last bit.
import type { MetricsWindow } from './types';

/** Milliseconds between the Julian day epoch and the Unix epoch, as SQLite counts them. */
const JULIAN_EPOCH_OFFSET_MS = 210_866_760_000_000;
const MS_PER_DAY = 86_400_000;

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses a MergeXO timestamp to epoch milliseconds, rounding sub-millisecond digits the way
 * SQLite does. Returns `null` for anything that is not a timestamp.
 */
export function parseTimestamp(text: string | null | undefined): number | null {
  if (typeof text !== 'string') return null;
  const match = ISO_PATTERN.exec(text.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone = 'Z'] = match;
  const seconds = Number(second) + (fraction ? Number(`0.${fraction}`) : 0);
  const wholeMs = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute));
  if (Number.isNaN(wholeMs) || Number(month) > 12 || Number(day) > 31 || Number(hour) > 24) return null;
  let ms = wholeMs + Math.round(seconds * 1000);
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}

/** SQLite's julianday() of an instant given in epoch milliseconds. */
export function julianDay(epochMs: number): number {
  return (epochMs + JULIAN_EPOCH_OFFSET_MS) / MS_PER_DAY;
}

/** `max(0, (julianday(now) - julianday(then)) * 86400)`, MergeXO's elapsed and age formula. */
export function secondsSince(nowMs: number, thenMs: number): number {
  return Math.max(0, (julianDay(nowMs) - julianDay(thenMs)) * 86400);
}

const WINDOW_MS: Record<MetricsWindow, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
};

export function windowMs(window: MetricsWindow): number {
  return WINDOW_MS[window];
}

/**
 * The lower bound of a window as MergeXO writes it (`strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-24 hours')`).
 * MergeXO compares it with `finished_at` as text; so do we, which also lets SQLite use its index.
 */
export function windowCutoffText(nowMs: number, window: MetricsWindow): string {
  return new Date(nowMs - WINDOW_MS[window]).toISOString();
}

export function isoFromMs(ms: number): string {
  return new Date(ms).toISOString();
}
