// Display helpers for the pages; durations and percentages come from the data layer's formatter so
// the panels read exactly like the CLI and the sidebar.
import { formatDuration } from '../../src/data/format';

export { formatDuration, formatPercent, formatSeconds } from '../../src/data/format';

/** `5m 02s ago`, `just now`, `in 3m 00s`. */
export function relativeTime(atMs: number | null, nowMs: number): string {
  if (atMs === null) return 'unknown time';
  const delta = (nowMs - atMs) / 1000;
  if (Math.abs(delta) < 5) return 'just now';
  return delta >= 0 ? `${formatDuration(delta)} ago` : `in ${formatDuration(-delta)}`;
}

/** Local date and time with the stored UTC text, for hover text. */
export function absoluteTime(at: string, atMs: number | null): string {
  if (atMs === null) return at;
  const local = new Date(atMs).toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return `${local} (${at})`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
