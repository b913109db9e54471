// Nothing from the database executes: the hostile corpus (test/support/hostile.ts) is written into
// every text column a view shows, then read back through the data layer into the pure view models
// (tree labels, descriptions, Markdown tooltips), the status bar model, notifications, GitHub links
// and the CLI. Each string must come out as literal, inert text: no `$(icon)` a label would render,
// no link, image, HTML or command from a tooltip, no URL but https://github.com/<owner>/<repo>/…,
// no terminal control sequence from the CLI.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main';
import { MergexoDatabase } from '../../src/data/database';
import { gitHubUrl, isSafeRepo, type GitHubLinkKind } from '../../src/host/github';
import type { WorkTarget } from '../../src/host/session';
import { agentItems, bannerItem, trackedItems } from '../../src/views/model';
import { flatten, type ItemModel } from '../../src/views/modelItems';
import { notifyMessage } from '../../src/views/modelNotify';
import { outcomeItems } from '../../src/views/modelOutcomes';
import { roadmapItems } from '../../src/views/modelRoadmaps';
import { statusModel } from '../../src/views/modelStatus';
import { escapeMarkdown, markdownCodeBlock, noIcons, plainLine } from '../../src/views/modelText';
import { DATA_NOW_MS, hostileDataFile } from '../support/badFiles';
import { HOSTILE, HOSTILE_REPOS, LONG_LINE } from '../support/hostile';
import { markdownProblems, markdownText } from './support/markdown';

vi.mock('vscode', () => import('./support/fakeVscode'));

const root = mkdtempSync(join(tmpdir(), 'mergexo-hostile-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const NOW = DATA_NOW_MS;
const TEXTS = HOSTILE.map((entry) => entry.text);

/** A `$(` that VS Code would turn into an icon: not preceded by a backslash or our zero-width joiner. */
const LIVE_CODICON = /(^|[^\\])\$\(/;

/** Controls (but tab and newline) and bidi controls: invisible, or reordering what people read. */
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** A short piece of a hostile string that must be visible as is (whitespace folded). */
function fragment(text: string): string | undefined {
  // Control characters and NUL are allowed to be replaced on the way; check only printable texts.
  if (/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(text)) return undefined;
  return text.replace(/\s+/g, ' ').trim().slice(0, 40);
}

let file: string;
let items: { agents: ItemModel[]; tracked: ItemModel[]; outcomes: ItemModel[]; roadmaps: ItemModel[] };
beforeAll(() => {
  file = hostileDataFile(join(root, 'hostile'), TEXTS);
  const db = MergexoDatabase.open(file);
  const scope = { repo: null, nowMs: NOW };
  const dashboard = db.readDashboard(scope, '24h');
  expect(dashboard.agents.ok && dashboard.tracked.ok).toBe(true);
  const outcomes = db.queries.terminalOutcomes(scope, 500);
  const failed = db.queries.failedRuns(scope, 500);
  const counts = db.queries.roadmapLifecycleCounts(scope);
  const blockers = db.queries.roadmapBlockerAges(scope, 500);
  items = {
    agents: agentItems(dashboard.agents.ok ? dashboard.agents.value : [], {
      nowMs: NOW,
      health: () => ({ state: 'stalled', summary: 'no progress for 14m; idle timeout 10m' }),
      banner: { title: 'MergeXO is not running', detail: TEXTS[0]!, explanation: TEXTS[9]! },
    }),
    tracked: trackedItems(dashboard.tracked.ok ? dashboard.tracked.value : [], NOW, {
      blocked: 1,
      tracked: 1,
    }),
    outcomes: outcomeItems(outcomes.ok ? outcomes.value : [], failed.ok ? failed.value : [], {
      nowMs: NOW,
      shown: 500,
      pageSize: 50,
    }),
    roadmaps: roadmapItems(
      counts.ok ? counts.value : (undefined as never),
      blockers.ok ? blockers.value : [],
    ),
  };
  db.close();
});

/** `/<owner>/<repo>` and, optionally, an issue, a PR, a branch or a commit under it. */
const GITHUB_PATH = new RegExp(
  String.raw`^/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+` +
    String.raw`(/(issues|pull)/[1-9]\d*|/tree/[^\s?#\\]+|/commit/[0-9a-fA-F]{7,64})?$`,
);

describe('the text helpers', () => {
  it.each(HOSTILE.map((entry) => [entry.name, entry.text] as const))('make %s inert', (_name, text) => {
    const line = plainLine(text, 200);
    expect(line).not.toMatch(/[\r\n]/);
    expect(line).not.toMatch(LIVE_CODICON);
    expect(noIcons(text)).not.toMatch(LIVE_CODICON);
    const escaped = escapeMarkdown(text);
    expect(markdownProblems(escaped)).toEqual([]);
    expect(markdownProblems(markdownCodeBlock(text))).toEqual([]);
    const visible = fragment(text);
    if (visible) {
      expect(markdownText(escaped).replace(/\s+/g, ' ')).toContain(visible);
      expect(markdownText(markdownCodeBlock(text))).toContain(text.split(/\r\n|\r|\n/)[0]!.slice(0, 40));
    }
  });
});

describe('tree item models built from hostile rows', () => {
  const all = () => flatten([...items.agents, ...items.tracked, ...items.outcomes, ...items.roadmaps]);

  it('hold every hostile string somewhere (the fixture is what it claims)', () => {
    const text = all()
      .map((item) => markdownText(item.tooltip ?? ''))
      .join('\n')
      .replace(/\s+/g, ' ');
    for (const entry of HOSTILE) {
      const visible = fragment(entry.text);
      if (visible) expect(text, entry.name).toContain(visible);
    }
    expect(all().filter((item) => item.kind === 'agent')).toHaveLength(HOSTILE.length);
    expect(all().filter((item) => item.kind === 'roadmapBlocker')).toHaveLength(HOSTILE.length);
  });

  /** An id short enough to read in a failure message. */
  const short = (id: string) => (id.length > 60 ? `${id.slice(0, 57)}...` : id);

  it('never let a label or description render an icon, break a line or grow without bound', () => {
    const problems: string[] = [];
    for (const item of all()) {
      for (const [field, text] of [
        ['label', item.label],
        ['description', item.description ?? ''],
        ['accessibility label', item.accessibilityLabel ?? ''],
        ['tooltip', markdownText(item.tooltip ?? '')],
      ] as const) {
        if (INVISIBLE.test(text))
          problems.push(`${short(item.id)}: ${field} holds a control or bidi character`);
        if (field === 'tooltip') continue;
        if (LIVE_CODICON.test(text)) problems.push(`${short(item.id)}: ${field} renders $(...)`);
        if (/[\r\n]/.test(text)) problems.push(`${short(item.id)}: ${field} breaks the line`);
      }
      const length = item.label.length + (item.description ?? '').length;
      if (length >= 400) problems.push(`${short(item.id)}: label + description ${length} characters`);
      // Screen readers read this aloud: it must not carry a 100 kB text either.
      const spoken = item.accessibilityLabel?.length ?? 0;
      if (spoken >= 1000) problems.push(`${short(item.id)}: accessibility label ${spoken} characters`);
      // Icons are ours: codicon ids from a fixed set, never from data.
      if (item.icon && !/^[a-z-]+$/.test(item.icon.id))
        problems.push(`${short(item.id)}: icon ${item.icon.id}`);
    }
    expect(problems).toEqual([]);
  });

  it('render every tooltip as inert Markdown: no link, image, HTML or command, the text shown literally', () => {
    const problems: string[] = [];
    for (const item of all()) {
      if (!item.tooltip) continue;
      for (const problem of markdownProblems(item.tooltip)) problems.push(`${short(item.id)}: ${problem}`);
      if (item.tooltip.length >= 20_000)
        problems.push(`${short(item.id)}: tooltip ${item.tooltip.length} characters`);
    }
    expect(problems).toEqual([]);
    HOSTILE.forEach((entry, index) => {
      const visible = fragment(entry.text);
      if (!visible) return;
      const issue = 100 + index * 10;
      const agent = items.agents
        .flatMap((item) => [item, ...(item.children ?? [])])
        .find((item) => item.kind === 'agent' && item.target?.issue === issue);
      expect(markdownText(agent!.tooltip!).replace(/\s+/g, ' '), entry.name).toContain(visible);
    });
  });

  it('keep ids unique and commands ours', () => {
    const models = all();
    expect(new Set(models.map((item) => item.id)).size).toBe(models.length);
    for (const item of models) {
      if (item.command) expect(item.command.id).toBe('mergexo.loadMoreOutcomes');
      if (item.contextValue) expect(item.contextValue).toMatch(/^mergexo:[a-zA-Z]+(\+[a-zA-Z]+)*$/);
    }
  });

  it('build GitHub links only as https://github.com/<owner>/<repo>/… from validated parts', () => {
    const kinds: GitHubLinkKind[] = ['repo', 'issue', 'pr', 'branch', 'commit'];
    const targets = all().flatMap((item) => (item.target ? [item.target] : []));
    let built = 0;
    for (const target of targets) {
      for (const kind of kinds) {
        const url = gitHubUrl(target, kind);
        if (url === undefined) continue;
        built++;
        expect(isSafeRepo(target.repo)).toBe(true);
        const parsed = new URL(url);
        expect(parsed.protocol).toBe('https:');
        expect(parsed.host).toBe('github.com');
        expect(parsed.username + parsed.password + parsed.search + parsed.hash).toBe('');
        expect(url.startsWith(`https://github.com/${target.repo}`)).toBe(true);
        expect(parsed.pathname).toMatch(GITHUB_PATH);
      }
    }
    expect(built).toBeGreaterThan(20);
    for (const repo of [...HOSTILE_REPOS, ...TEXTS]) {
      for (const kind of kinds)
        expect(gitHubUrl({ repo, issue: 1, pr: 2, branch: 'b', sha: 'abcdef1' }, kind)).toBeUndefined();
    }
  });
});

describe('the status bar model', () => {
  it.each(HOSTILE.map((entry) => [entry.name, entry.text] as const))(
    'keeps %s out of its text and inert in its tooltip',
    (_name, text) => {
      const overview = {
        active_agents: 2,
        blocked_prs: 1,
        tracked_prs: 3,
        failures: 4,
        mean_runtime_seconds: 60,
        stddev_runtime_seconds: 5,
      };
      for (const model of [
        statusModel({
          state: 'open',
          path: text,
          overview,
          stalled: 1,
          serviceDown: text,
          window: '24h',
          repo: text,
        }),
        statusModel({ state: 'error', message: text, path: text, stalled: 0, window: '1h', repo: null }),
        statusModel({ state: 'none', message: text, stalled: 0, window: '1h', repo: null }),
        statusModel({ state: 'open', path: text, overviewGap: text, stalled: 0, window: '7d', repo: text }),
      ]) {
        // Only our own icons in the text; data never reaches it (a filter shows only if it is owner/name).
        expect(model.text.replace(/\$\((pulse|warning)\)/g, '')).not.toMatch(/\$\(/);
        expect(model.text).not.toContain(text.slice(0, 12));
        expect(model.text).not.toMatch(/[\r\n]/);
        expect(markdownProblems(model.tooltip)).toEqual([]);
        expect(markdownText(model.tooltip)).not.toMatch(INVISIBLE);
        expect(model.accessibilityLabel).not.toMatch(INVISIBLE);
      }
    },
  );
});

describe('notifications and the service banner', () => {
  it.each(HOSTILE.map((entry) => [entry.name, entry.text] as const))(
    'say %s only in checked words',
    (_name, text) => {
      const targets: WorkTarget[] = [
        { repo: text, issue: 5 },
        { repo: 'acme/widgets', issue: 5, pr: 6 },
      ];
      for (const target of targets) {
        for (const kind of ['runFailed', 'prBlocked', 'agentStalled'] as const) {
          const message = notifyMessage(kind, { key: 'k', target, detail: text });
          // Notification text renders [label](link) syntax: no bracket, markup or scheme from data.
          expect(message).not.toMatch(/[[\]<>`$\\]|javascript:|command:/i);
          // Parentheses are ours, around the (filtered) detail only.
          expect(message.replace(/ \([A-Za-z0-9_ -]*\)\.$/, '.')).not.toMatch(/[()]/);
          expect(message).toMatch(/^MergeXO: /);
        }
      }
      const banner = bannerItem({ title: 'MergeXO is not running', detail: text, explanation: text });
      expect(markdownProblems(banner.tooltip!)).toEqual([]);
    },
  );
});

describe('the CLI', () => {
  it('prints hostile text without terminal control sequences, in tables and JSON', () => {
    const outputs: string[] = [];
    for (const section of [
      'overview',
      'agents',
      'tracked',
      'outcomes',
      'metrics',
      'repos',
      'roadmaps',
      'issue 102',
      'pr 102',
    ]) {
      for (const json of [false, true]) {
        let stdout = '';
        let stderr = '';
        const code = runCli(
          ['--db', file, '--now', '2026-03-15T12:00:00Z', ...(json ? ['--json'] : []), ...section.split(' ')],
          { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd: root },
        );
        expect({ section, code, stderr }).toEqual({ section, code: 0, stderr: '' });
        outputs.push(stdout);
      }
    }
    const all = outputs.join('\n');
    // ESC, BEL, NUL and other C0/C1 controls could move the cursor, clear the screen or open links;
    // bidirectional overrides could reorder what the operator reads.
    const controls = [
      ...all.matchAll(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g),
    ].map((match) => `U+${match[0].codePointAt(0)!.toString(16).padStart(4, '0')}`);
    expect([...new Set(controls)]).toEqual([]);
    expect(all).toContain('<script>alert(1)</script>');
    expect(all).toContain(LONG_LINE.slice(0, 30));
  });

  it('names the repositories it knows without terminal control sequences', () => {
    let stderr = '';
    const code = runCli(['overview', '--db', file, '--repo', 'nosuch/repo'], {
      stdout: () => undefined,
      stderr: (text) => (stderr += text),
      cwd: root,
    });
    expect(code).toBe(0);
    // The note lists every repository of the file, hostile names among them.
    expect(stderr).toContain('no repository "nosuch/repo"');
    expect(stderr).toContain('\ufffd');
    expect(stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });
});
