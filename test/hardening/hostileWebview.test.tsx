// @vitest-environment happy-dom
// @vitest-environment-options {"settings":{"disableCSSFileLoading":true,"handleDisabledFileLoadingAsSuccess":true}}
// Both panels, rendered from snapshots of the hostile database (every text column holding the
// hostile corpus) through the same functions the host uses: each string is shown as literal text and
// no element, attribute or handler is created from it. The page shell itself (CSP, nonce, the one
// script tag) does not change with a hostile title either. The browser-level check that the CSP
// blocks inline script belongs to the end-to-end run in a real VS Code (test/e2e).
import { cleanup, render } from '@testing-library/preact';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MergexoDatabase } from '../../src/data/database';
import { displaySafe } from '../../src/data/text';
import { readTimeline, type TimelineSubject } from '../../src/data/timeline';
import { createNonce, webviewHtml } from '../../src/panels/html';
import { readMetricsSnapshot } from '../../src/panels/snapshots';
import { MetricsApp } from '../../webview/metrics/App';
import type { MetricsFromWebview, MetricsSnapshot, MetricsState } from '../../webview/metrics/protocol';
import { TimelineApp } from '../../webview/timeline/App';
import type { TimelineFromWebview, TimelineSnapshot, TimelineState } from '../../webview/timeline/protocol';
import { DATA_NOW_MS, hostileDataFile } from '../support/badFiles';
import { HOSTILE } from '../support/hostile';
import { fromHost, recordingHost, timelineSnapshot } from '../webview/support';

const root = mkdtempSync(join(tmpdir(), 'mergexo-hostile-webview-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(cleanup);

/** Elements that would mean markup from data became DOM, or that could run or load something. */
const FORBIDDEN = 'script, img, iframe, object, embed, svg, math, link, style, meta, base, form, a[href]';

let timelines: TimelineSnapshot[];
let metrics: MetricsSnapshot;
beforeAll(() => {
  const file = hostileDataFile(
    join(root, 'hostile'),
    HOSTILE.map((entry) => entry.text),
  );
  const db = MergexoDatabase.open(file);
  const subjects: TimelineSubject[] = HOSTILE.flatMap((entry, index) => {
    const repo = index % 2 === 0 && entry.text.length <= 200 ? entry.text : 'acme/widgets';
    const issue = 100 + index * 10;
    return [
      { kind: 'issue', repo, number: issue },
      { kind: 'issue', repo, number: issue + 1 },
      { kind: 'pr', repo, number: issue + 2 },
    ] as TimelineSubject[];
  });
  timelines = subjects.map((subject) => readTimeline(db, subject, DATA_NOW_MS));
  metrics = readMetricsSnapshot(db, { window: '24h', repo: null }, DATA_NOW_MS);
  db.close();
});

/** Every element's attributes: names are ours; no handler attribute, no URL-bearing attribute. */
function attributeProblems(): string[] {
  const problems: string[] = [];
  for (const element of document.body.querySelectorAll('*')) {
    for (const attribute of element.getAttributeNames()) {
      if (/^on/i.test(attribute)) problems.push(`${element.tagName} has ${attribute}`);
      if (/^(href|src|srcdoc|action|formaction|xlink:href)$/i.test(attribute)) {
        problems.push(`${element.tagName} has ${attribute}=${element.getAttribute(attribute)}`);
      }
    }
  }
  return problems;
}

/**
 * Controls (but tab and newline) and bidi controls in what the page shows: text, and attributes that
 * are shown or spoken. An `<option>`'s value is the repository itself (the host checks it), never shown.
 */
function invisibleCharacters(): string[] {
  const invisible = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
  const texts = [document.body.textContent ?? ''];
  for (const element of document.body.querySelectorAll('*')) {
    for (const attribute of element.getAttributeNames()) {
      if (!(element.tagName === 'OPTION' && attribute === 'value'))
        texts.push(element.getAttribute(attribute) ?? '');
    }
  }
  const found = texts.flatMap((text) => [...text.matchAll(invisible)].map((match) => match[0]));
  return [...new Set(found)].map((char) => `U+${char.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

function tagNames(): Set<string> {
  return new Set([...document.body.querySelectorAll('*')].map((element) => element.tagName.toLowerCase()));
}

/**
 * A piece of a hostile string as the page shows it: its first line, with control and bidi characters
 * replaced as displaySafe does (whitespace collapses in HTML text anyway).
 */
function visible(text: string): string | undefined {
  return displaySafe(text.split(/\r\n|\r|\n/)[0]).slice(0, 30) || undefined;
}

describe('the timeline page', () => {
  it('shows every hostile text as text and creates nothing from it', async () => {
    // The tags a benign timeline uses: a hostile one may not add any.
    const benignHost = recordingHost<TimelineFromWebview, TimelineState>();
    render(<TimelineApp host={benignHost} />);
    const benign = new Set<string>();
    for (const subject of [
      { kind: 'issue', repo: 'acme/gadgets', number: 210 },
      { kind: 'pr', repo: 'acme/widgets', number: 1104 },
      { kind: 'issue', repo: 'acme/widgets', number: 105 },
    ] as TimelineSubject[]) {
      await fromHost({ type: 'snapshot', snapshot: timelineSnapshot(subject) });
      for (const tag of tagNames()) benign.add(tag);
    }
    cleanup();

    let events = 0;
    for (const snapshot of timelines) {
      const host = recordingHost<TimelineFromWebview, TimelineState>();
      render(<TimelineApp host={host} />);
      await fromHost({ type: 'snapshot', snapshot });
      events += snapshot.events.length;
      expect(document.body.querySelectorAll(FORBIDDEN)).toHaveLength(0);
      expect(attributeProblems()).toEqual([]);
      expect(invisibleCharacters()).toEqual([]);
      expect([...tagNames()].filter((tag) => !benign.has(tag))).toEqual([]);
      cleanup();
    }
    expect(events).toBeGreaterThan(HOSTILE.length * 3);

    // Each hostile string appears literally in the timeline that holds it (its failed run's error).
    for (const [index, entry] of HOSTILE.entries()) {
      const shown = visible(entry.text);
      if (!shown) continue;
      const snapshot = timelines[index * 3 + 1]!;
      render(<TimelineApp host={recordingHost<TimelineFromWebview, TimelineState>()} />);
      await fromHost({ type: 'snapshot', snapshot });
      expect(document.body.textContent, entry.name).toContain(shown);
      cleanup();
    }
  });
});

describe('the metrics page', () => {
  it('shows hostile repository names as text in the selector and the table', async () => {
    expect(metrics.repositories.length).toBeGreaterThan(5);
    const host = recordingHost<MetricsFromWebview, MetricsState>();
    render(<MetricsApp host={host} />);
    await fromHost({ type: 'snapshot', snapshot: metrics });
    expect(document.body.querySelectorAll(FORBIDDEN)).toHaveLength(0);
    expect(attributeProblems()).toEqual([]);
    expect(invisibleCharacters()).toEqual([]);
    const text = document.body.textContent ?? '';
    for (const repo of metrics.repositories) {
      const shown = visible(repo);
      if (shown) expect(text, repo).toContain(shown);
    }
    // Nothing was posted but the handshake: rendering data never triggers a host action.
    expect(host.posted).toEqual([{ type: 'ready' }]);
  });
});

describe('the page shell', () => {
  it.each(HOSTILE.map((entry) => [entry.name, entry.text] as const))(
    'keeps one script, the nonce and the CSP with a %s title',
    (_name, title) => {
      const nonce = createNonce();
      const html = webviewHtml({
        cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
        nonce,
        scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/dist/webview/timeline.js',
        styleUris: ['https://file+.vscode-resource.vscode-cdn.net/dist/webview/timeline.css'],
        title,
      });
      const page = new DOMParser().parseFromString(html, 'text/html');
      expect(page.querySelectorAll('script')).toHaveLength(1);
      expect(page.querySelector('script')!.getAttribute('nonce')).toBe(nonce);
      expect(page.querySelectorAll('meta[http-equiv="Content-Security-Policy"]')).toHaveLength(1);
      expect(page.head.querySelectorAll('*')).toHaveLength(5);
      // The title is text: what the parser reads back is the string itself.
      const normalize = (text: string) => text.replace(/\u0000/g, '\ufffd').replace(/\r\n?/g, '\n');
      expect(normalize(page.querySelector('title')!.textContent!)).toBe(normalize(title));
    },
  );
});
