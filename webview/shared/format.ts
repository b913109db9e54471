// Display helpers for the pages; durations and percentages come from the data layer's formatter so
// the panels read exactly like the CLI and the sidebar.
import { formatDuration } from '../../src/data/format';
import { displaySafe } from '../../src/data/text';

export { formatDuration, formatPercent, formatSeconds } from '../../src/data/format';

/**
 * Database text for one line of a page (a name, a status, a title attribute). Preact already escapes
 * HTML; this replaces control and bidi characters and caps the length.
 */
export function safeLine(text: string | null | undefined, max = 500): string {
  return displaySafe(text, { max });
}

/** Database text shown as a block in a `<pre>` (errors, details): line breaks and tabs stay. */
export function safeBlock(text: string | null | undefined, max = 20_000): string {
  return displaySafe(text, { multiline: true, max });
}

/** Sentences joined with one space, so a message never runs into the next ("stale.Showing"). */
export function sentences(...parts: (string | null | undefined)[]): string {
  return parts
    .map((part) => part?.trim() ?? '')
    .filter((part) => part !== '')
    .map((part) => (/[.!?…:)]$/.test(part) ? part : `${part}.`))
    .join(' ');
}

/** `5m 02s ago`, `just now`, `in 3m 00s`. */
export function relativeTime(atMs: number | null, nowMs: number): string {
  if (atMs === null) return 'unknown time';
  const delta = (nowMs - atMs) / 1000;
  if (Math.abs(delta) < 5) return 'just now';
  return delta >= 0 ? `${formatDuration(delta)} ago` : `in ${formatDuration(-delta)}`;
}

/** Local date and time with the stored UTC text, for hover text. */
export function absoluteTime(at: string, atMs: number | null): string {
  if (atMs === null) return safeLine(at);
  const local = new Date(atMs).toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return `${local} (${safeLine(at)})`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
