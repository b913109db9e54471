// Short human texts for durations and instants, shared by tree items, tooltips and the CLI.
import { parseTimestamp } from './timestamps';
import { cutText } from './text';

const pad = (value: number) => String(value).padStart(2, '0');

/**
 * `45s`, `3m 12s`, `2h 05m`, `3d 04h`; negative or invalid input reads as `0s`. Rounded once to whole
 * seconds before the split: julianday() arithmetic gives 719.99999 s for a 12-minute run, which must
 * read `12m 00s`, not `11m 59s` (and never `11m 60s`).
 */
export function formatDuration(totalSeconds: number | null | undefined): string {
  if (totalSeconds == null || !Number.isFinite(totalSeconds) || totalSeconds < 0) return '0s';
  const seconds = Math.round(totalSeconds);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${pad(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d ${pad(hours % 24)}h`;
}

/** `5m ago`, `in 3m`, `just now`: for "last activity" and timeline rows. */
export function formatRelative(timestamp: string | null | undefined, nowMs: number): string {
  const ms = parseTimestamp(timestamp ?? null);
  if (ms === null) return timestamp && timestamp !== '-' ? timestamp : '-';
  const delta = (nowMs - ms) / 1000;
  if (Math.abs(delta) < 5) return 'just now';
  return delta >= 0 ? `${formatDuration(delta)} ago` : `in ${formatDuration(-delta)}`;
}

/** Seconds as a short figure for metrics: `54.0s`, `28m 12s`; 59.96 s rounds up to `1m 00s`, not `60.0s`. */
export function formatSeconds(seconds: number): string {
  return Math.round(seconds * 10) < 600 ? `${seconds.toFixed(1)}s` : formatDuration(seconds);
}

export function formatPercent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

/** Truncates to one line of at most `max` characters for labels and descriptions. */
export function oneLine(value: string | null | undefined, max = 80): string {
  if (!value) return '';
  return cutText(value.replace(/\s+/g, ' ').trim(), max);
}
