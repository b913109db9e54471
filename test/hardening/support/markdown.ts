// Renders tooltip Markdown the way VS Code's hovers do (with `marked`, GitHub-flavoured) but with
// raw HTML allowed, which is stricter than VS Code (it drops raw HTML when supportHtml is false):
// whatever the database said, the output may only hold the elements our own tooltips use, and no
// link, image or script of any kind.
import { marked } from 'marked';

const ALLOWED_TAGS = new Set([
  'p',
  'strong',
  'code',
  'pre',
  'br',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
]);
const ALLOWED_ATTRIBUTES = /^(class="language-text"|align="(left|right|center)")$/;

export function renderMarkdown(source: string): string {
  return marked.parse(source, { async: false, gfm: true }) as string;
}

/** Problems with the rendered HTML: elements or attributes our tooltips never produce. */
export function markdownProblems(source: string): string[] {
  const html = renderMarkdown(source);
  const problems: string[] = [];
  for (const match of html.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
    const tag = match[1]!.toLowerCase();
    if (!ALLOWED_TAGS.has(tag)) problems.push(`element <${tag}>`);
    const attributes = match[2]!.trim().replace(/\/$/, '').trim();
    if (attributes && !ALLOWED_ATTRIBUTES.test(attributes))
      problems.push(`attribute ${attributes} on <${tag}>`);
  }
  return problems;
}

/** The visible text of the rendered Markdown, entities decoded. */
export function markdownText(source: string): string {
  return renderMarkdown(source)
    .replace(/<[^>]+>/g, '')
    .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
