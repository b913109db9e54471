// The HTML page of every webview panel. Pure (no vscode import) so a test can check the policy on
// each page: scripts only by a fresh nonce, styles only from the extension's own files, no inline
// anything, no remote origin. Data never goes in here; it arrives by postMessage.
import { randomBytes } from 'node:crypto';

export interface WebviewPage {
  /** `webview.cspSource`: the origin VS Code serves the extension's local files from. */
  cspSource: string;
  /** A fresh value per page load, from {@link createNonce}. */
  nonce: string;
  scriptUri: string;
  styleUris: string[];
  title: string;
}

/** 128 random bits, base64url (the CSP nonce grammar accepts `-` and `_`). */
export function createNonce(): string {
  return randomBytes(16).toString('base64url');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function webviewHtml(page: WebviewPage): string {
  if (!/^[A-Za-z0-9_-]{16,}$/.test(page.nonce))
    throw new Error('webviewHtml: the nonce must be random base64url');
  const policy = contentSecurityPolicy(page.cspSource, page.nonce);
  const styles = page.styleUris
    .map((uri) => `    <link rel="stylesheet" href="${escapeHtml(uri)}" />`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta http-equiv="Content-Security-Policy" content="${escapeHtml(policy)}" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(page.title)}</title>
${styles}
  </head>
  <body>
    <div id="root"></div>
    <script nonce="${page.nonce}" src="${escapeHtml(page.scriptUri)}"></script>
  </body>
</html>
`;
}

/** The pages the extension serves; each is `dist/webview/<name>.js` with `<name>.css` beside it. */
export const PANEL_BUNDLES = ['metrics', 'timeline'] as const;
export type PanelBundle = (typeof PANEL_BUNDLES)[number];

/** A page for one bundle, with a nonce of its own; `toUri` maps a file in dist/webview to a webview URI. */
export function panelPage(
  bundle: PanelBundle,
  cspSource: string,
  toUri: (file: string) => string,
  title: string,
): string {
  return webviewHtml({
    cspSource,
    nonce: createNonce(),
    scriptUri: toUri(`${bundle}.js`),
    styleUris: [toUri(`${bundle}.css`)],
    title,
  });
}
