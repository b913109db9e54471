// Text from the database (repository names, titles, prompts, reasons, branch names) is written by
// GitHub users and by agents. Invisible characters in it can mislead whoever reads it: bidirectional
// controls reorder what follows ("invoice\u202Egnp.exe" reads as "invoiceexe.png"), and C0 or C1
// controls are drawn as nothing or as boxes. `displaySafe` makes such text fit to show anywhere: tree
// items, the status bar, tooltips, quick picks and the webview pages. Pure: no `vscode`, no DOM.

/** Stands in for a control or bidirectional formatting character, so readers see that one was there. */
export const REPLACEMENT_CHARACTER = '\ufffd';

/** The default cap: the database holds prompts and error texts of 100 kB and more. */
export const DISPLAY_MAX_CHARS = 2000;

// C0 controls but tab and line feed, DEL, C1 controls (NEL included), the Arabic letter mark,
// LRM and RLM, bidi embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069).
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAK = /\r\n?|\u2028|\u2029/g;

export interface DisplayOptions {
  /** Keep line breaks and tabs (a code block, a `<pre>`); otherwise all whitespace folds into single spaces. */
  multiline?: boolean;
  /** Longer text is cut and ends with "…" (default {@link DISPLAY_MAX_CHARS}; `Infinity` for no cap). */
  max?: number;
}

/**
 * `text` with every control and bidirectional formatting character replaced by U+FFFD, line breaks
 * normalised to `\n` (or folded into spaces), and cut to `max` characters with an ellipsis.
 * Markdown, HTML and `$(icon)` syntax are left alone: escaping them is the job of each place that
 * would interpret them (`escapeMarkdown`, `noIcons`; Preact escapes HTML).
 */
export function displaySafe(text: string | null | undefined, options: DisplayOptions = {}): string {
  if (!text) return '';
  let shown = text.replace(LINE_BREAK, '\n').replace(UNSAFE, REPLACEMENT_CHARACTER);
  if (!options.multiline) shown = shown.replace(/\s+/g, ' ').trim();
  return cutText(shown, options.max ?? DISPLAY_MAX_CHARS);
}

/** At most `max` characters, the last one "…" when something was cut; never half a surrogate pair. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, Math.floor(max) - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end).trimEnd()}…`;
}
