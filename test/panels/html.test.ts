// Every page the host serves carries a strict Content-Security-Policy with a fresh nonce: scripts
// only by that nonce, styles only from the extension's files, nothing inline, no remote origin.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  contentSecurityPolicy,
  createNonce,
  PANEL_BUNDLES,
  panelPage,
  webviewHtml,
} from '../../src/panels/html';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const toUri = (file: string) => `${CSP_SOURCE}/ext/dist/webview/${file}`;

function policyOf(html: string): Map<string, string[]> {
  const content = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
  if (!content) throw new Error('no CSP meta tag');
  const decoded = content.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)));
  return new Map(
    decoded.split(';').map((part) => {
      const [name, ...sources] = part.trim().split(/\s+/);
      return [name!, sources];
    }),
  );
}

describe('panel pages', () => {
  it('cover every webview bundle the build produces', () => {
    const build = readFileSync(join(__dirname, '..', '..', 'esbuild.mjs'), 'utf8');
    const outputs = [...build.matchAll(/out: 'dist\/webview\/([\w-]+)\.js'/g)].map((match) => match[1]);
    expect(outputs.sort()).toEqual([...PANEL_BUNDLES].sort());
    for (const bundle of PANEL_BUNDLES) expect(build).toContain(`out: 'dist/webview/${bundle}.css'`);
  });

  for (const bundle of PANEL_BUNDLES) {
    it(`${bundle}: strict CSP with a fresh nonce on every load`, () => {
      const first = panelPage(bundle, CSP_SOURCE, toUri, 'Title');
      const second = panelPage(bundle, CSP_SOURCE, toUri, 'Title');
      for (const html of [first, second]) {
        const policy = policyOf(html);
        expect(policy.get('default-src')).toEqual(["'none'"]);
        const scripts = policy.get('script-src')!;
        expect(scripts).toHaveLength(1);
        expect(scripts[0]).toMatch(/^'nonce-[A-Za-z0-9_-]{22,}'$/);
        expect(policy.get('style-src')).toEqual([CSP_SOURCE]);
        expect(policy.get('img-src')).toEqual([CSP_SOURCE, 'data:']);
        expect(policy.get('font-src')).toEqual([CSP_SOURCE]);
        const all = [...policy.values()].flat();
        expect(all).not.toContain("'unsafe-inline'");
        expect(all).not.toContain("'unsafe-eval'");
        for (const source of all) {
          // Only keywords, nonces, data: and the webview's own resource origin.
          expect(source === CSP_SOURCE || /^'[^']+'$/.test(source) || source === 'data:', source).toBe(true);
        }
        // The single script is the bundle, carrying the policy's nonce; no inline script or style.
        const nonce = scripts[0]!.slice("'nonce-".length, -1);
        const tags = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
        expect(tags).toHaveLength(1);
        expect(tags[0]![1]).toContain(`nonce="${nonce}"`);
        expect(tags[0]![1]).toContain(`src="${toUri(`${bundle}.js`)}"`);
        expect(tags[0]![2]).toBe('');
        expect(html).not.toMatch(/<style\b|\sstyle=|\son\w+=/i);
        expect(html).toContain(`<link rel="stylesheet" href="${toUri(`${bundle}.css`)}" />`);
      }
      expect(policyOf(first).get('script-src')).not.toEqual(policyOf(second).get('script-src'));
    });
  }

  it('escapes what it puts in attributes and the title', () => {
    const html = webviewHtml({
      cspSource: CSP_SOURCE,
      nonce: createNonce(),
      scriptUri: 'x"><script>alert(1)</script>',
      styleUris: [],
      title: '</title><script>alert(2)</script>',
    });
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain('&#60;/title&#62;');
  });

  it('refuses a nonce that is not random-looking', () => {
    expect(() =>
      webviewHtml({
        cspSource: CSP_SOURCE,
        nonce: "abc' 'unsafe-inline",
        scriptUri: 'a',
        styleUris: [],
        title: 't',
      }),
    ).toThrow();
    expect(new Set(Array.from({ length: 100 }, createNonce)).size).toBe(100);
    expect(contentSecurityPolicy(CSP_SOURCE, 'n')).toContain("base-uri 'none'");
  });
});
