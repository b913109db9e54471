// Text from the database (issue titles, prompts, errors, branch names) comes from GitHub and from
// agents, so it is untrusted. These helpers make it inert wherever VS Code would interpret it:
// Markdown tooltips, and labels or quick-pick entries that expand `$(icon)` syntax. Each one also
// passes it through `displaySafe`, so no control or bidi character reaches what people read.
import { displaySafe } from '../data/text';

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/g;

/**
 * Escapes every ASCII punctuation character (CommonMark lets any of them be backslash-escaped), so
 * no link, image, HTML tag, entity, emphasis, autolink or `$(icon)` can form from the text. Line
 * breaks are folded into spaces: use {@link markdownCodeBlock} for multi-line text.
 */
export function escapeMarkdown(text: string | null | undefined): string {
  return displaySafe(text).replace(ASCII_PUNCTUATION, (char) => `\\${char}`);
}

/** A fenced code block whose fence is longer than any backtick run in the text, so it cannot close early. */
export function markdownCodeBlock(text: string): string {
  const shown = displaySafe(text, { multiline: true });
  const longestRun = Math.max(0, ...(shown.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}text\n${shown}\n${fence}`;
}

/**
 * For plain-text places that still expand `$(name)` into icons (quick-pick labels, status-bar text):
 * a zero-width joiner between `$` and `(` keeps the characters visible but stops the expansion.
 */
export function noIcons(text: string | null | undefined): string {
  if (text == null) return '';
  return text.replace(/\$\(/g, '$\u200d(');
}

/** One line, icon-free, display-safe, cut to `max` characters: for labels, descriptions and the status bar. */
export function plainLine(text: string | null | undefined, max = 80): string {
  return displaySafe(noIcons(text), { max });
}

/** A `**Name:** value` tooltip line; `value` is escaped here, `name` is ours. */
export function field(name: string, value: string | number | bigint | null | undefined): string {
  const shown = value == null || value === '' ? '—' : escapeMarkdown(plainLine(String(value), 500));
  return `**${name}:** ${shown}`;
}

/** Markdown lines joined as separate paragraphs-in-a-list (two trailing spaces force line breaks). */
export function lines(parts: (string | null | undefined | false)[]): string {
  return parts.filter((part): part is string => typeof part === 'string' && part !== '').join('  \n');
}
