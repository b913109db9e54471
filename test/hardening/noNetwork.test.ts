// No network: nothing in the extension, the CLI or the webview pages can open a connection. The only
// way out is VS Code's openExternal with an https://github.com/… URL the host builds (tested in
// hostile.test.ts and webviewMessages.test.ts), and the pages' CSP has no source that could connect.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../src/panels/html';

const ROOT = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx|mts|mjs|js)$/.test(name) ? [path] : [];
  });
}

/** Modules and globals that send or receive over a network. */
const NETWORK = new RegExp(
  [
    String.raw`from ['"](node:)?(http|https|http2|net|tls|dgram|dns)['"]`,
    String.raw`require\(['"](node:)?(http|https|http2|net|tls|dgram)['"]\)`,
    String.raw`from ['"](undici|axios|node-fetch|ws)['"]`,
    String.raw`\bfetch\(`,
    'XMLHttpRequest|new WebSocket|EventSource|sendBeacon|importScripts',
  ].join('|'),
);

describe('no network', () => {
  it('no source file of the extension, the CLI or the pages uses a network API', () => {
    const files = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'webview'))];
    expect(files.length).toBeGreaterThan(30);
    const offenders = files
      .filter((file) => NETWORK.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(offenders).toEqual([]);
  });

  it('the pages may not connect anywhere: default-src none, and no connect, frame or form source', () => {
    const policy = contentSecurityPolicy('https://file+.vscode-resource.vscode-cdn.net', 'abcdefghijklmnop');
    expect(policy).toMatch(/^default-src 'none'/);
    expect(policy).not.toMatch(/connect-src|frame-src|child-src|worker-src|https?:\/\/(?!file\+)/);
    expect(policy).toContain("form-action 'none'");
  });
});
