// Strings an agent or a GitHub user could put into state.db, each aimed at one way text can turn into
// code or into something other than itself: HTML and script in a webview, `$(icon)` syntax in tree
// labels and the status bar, Markdown links and command links in tooltips, terminal escapes in the
// CLI, and sizes or characters that break layouts. Tests put every one of them into every text
// column a view shows and check that it comes out as literal, inert text.

export interface HostileString {
  /** Short id for test names. */
  name: string;
  text: string;
}

/** 100 kB on one line, with markup at both ends so truncation cannot hide a payload. */
export const LONG_LINE = `<b>start</b>${'x'.repeat(100_000)}<script>alert('end')</script>`;

export const HOSTILE: readonly HostileString[] = [
  { name: 'script tag', text: '<script>alert(1)</script>' },
  { name: 'closing script', text: '</script><script>alert(2)</script>' },
  { name: 'img onerror', text: '<img src=x onerror=alert(3)>' },
  { name: 'svg onload', text: '<svg/onload=alert(4)>' },
  { name: 'attribute break', text: '" onmouseover="alert(5)" x="' },
  { name: 'javascript url', text: 'javascript:alert(6)' },
  { name: 'html entity', text: '&lt;script&gt;alert(7)&lt;/script&gt; &amp; &#x3C;' },
  { name: 'codicon', text: '$(alert)' },
  { name: 'spinning codicon', text: '$(sync~spin) Syncing' },
  { name: 'markdown command link', text: '[click](command:workbench.action.quit)' },
  { name: 'markdown web link', text: '[x](https://evil.example)' },
  { name: 'markdown image', text: '![i](https://evil.example/p.png)' },
  { name: 'autolink', text: '<https://evil.example> and www.evil.example' },
  { name: 'reference link', text: '[a][r]\n\n[r]: command:workbench.action.quit' },
  { name: 'markdown emphasis', text: '`code` *star* _under_ **bold** ~~strike~~ # heading' },
  { name: 'fence breaker', text: '```\n</code>[x](command:workbench.action.quit)\n```' },
  { name: 'table pipe', text: '| a | b |\n|---|---|\n| [x](command:x) | 2 |' },
  { name: 'html comment', text: '<!-- hidden --> visible' },
  { name: 'long line', text: LONG_LINE },
  { name: 'emoji', text: '🚀 agent 👩‍💻 done ✅ 🇫🇷' },
  { name: 'rtl override', text: 'invoice\u202Egnp.exe' },
  { name: 'bidi isolates', text: 'a\u2066b\u2069c\u200Fd' },
  { name: 'control chars', text: 'bell\u0007 back\u0008 esc\u001b[31mred\u001b[0m vt\u000b ff\u000c' },
  { name: 'osc hyperlink', text: '\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007' },
  { name: 'nul', text: 'before\u0000after' },
  { name: 'newlines', text: 'line one\r\nline two\rline three\nline four' },
  { name: 'template', text: '${process.exit(1)} {{constructor.constructor("alert(8)")()}}' },
  { name: 'prototype key', text: '__proto__' },
];

/** The first line of every text, for places that keep one line: it must still be literal there. */
export function firstLine(text: string): string {
  return text.split(/\r\n|\r|\n/)[0] ?? '';
}

/** A valid repository name is required for links; these look like one but must not become a URL. */
export const HOSTILE_REPOS: readonly string[] = [
  'evil.example/x?y=1',
  'javascript:alert(1)//x',
  '../../settings',
  'acme/widgets/../../evil',
  'acme/widgets#frag',
  'acme/widgets@evil.example',
  'acme/ widgets',
  'acme\\widgets',
  '%2e%2e/x',
  'acme/widgets\u202E',
];

/** Sentinels a test can search for: they must only ever appear as text. */
export const MARKERS = {
  codicon: /(^|[^\\\u200d])\$\(/,
} as const;
