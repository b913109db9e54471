// The tree items of Active Agents and Tracked & Blocked, built from the small.db fixture at the
// fixtures' pinned clock: labels, descriptions, grouping, counts, stable unique ids, and escaping.
import { marked } from 'marked';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MergexoDatabase, type DashboardSnapshot } from '../../src/data/database';
import type { ActiveAgentDetail, TrackedRow } from '../../src/data/types';
import { agentItems, trackedItems } from '../../src/views/model';
import { flatten, type ItemModel } from '../../src/views/modelItems';
import { fixturePath } from '../support/fixtures';

const NOW = Date.parse('2026-03-15T12:00:00.000Z');
let db: MergexoDatabase;
let all: DashboardSnapshot;
let widgets: DashboardSnapshot;

function value<T>(figure: { ok: true; value: T } | { ok: false }): T {
  if (!figure.ok) throw new Error('figure unavailable');
  return figure.value;
}

beforeAll(() => {
  db = MergexoDatabase.open(fixturePath('small.db'));
  all = db.readDashboard({ repo: null, nowMs: NOW }, '24h');
  widgets = db.readDashboard({ repo: 'acme/widgets', nowMs: NOW }, '24h');
});
afterAll(() => db.close());

/** Renders like a Markdown hover would (HTML allowed, to be strict) and returns the HTML. */
function render(markdown: string): string {
  return marked.parse(markdown, { async: false, gfm: true });
}

describe('Active Agents items', () => {
  it('groups by repository when several have agents, longest running first', () => {
    const items = agentItems(value(all.agents), { nowMs: NOW });
    expect(items.map((item) => [item.label, item.description])).toEqual([
      ['octo/docs', '1 agent'],
      ['acme/gadgets', '1 agent'],
      ['acme/widgets', '2 agents'],
    ]);
    expect(
      flatten(items)
        .filter((item) => item.kind === 'agent')
        .map((item) => [item.label, item.description]),
    ).toEqual([
      ['#303 design_doc', '1d 02h · agent/design/303-versioning'],
      ['#202 implementation', '25m 00s · agent/impl/202-plugin-api'],
      ['#101 design_doc', '12m 00s · agent/design/101-oauth-login'],
      ['#103 feedback_turn', '4m 00s · PR #1103 · agent/bugfix/103-null-deref'],
    ]);
  });

  it('lists agents flat under a repository filter', () => {
    const items = agentItems(value(widgets.agents), { nowMs: NOW });
    expect(items.map((item) => item.kind)).toEqual(['agent', 'agent']);
    expect(items.map((item) => item.label)).toEqual(['#101 design_doc', '#103 feedback_turn']);
  });

  it('uses stable ids from repository, issue and run id, unique across the tree', () => {
    const first = flatten(agentItems(value(all.agents), { nowMs: NOW }));
    const later = flatten(agentItems(value(all.agents), { nowMs: NOW + 65_000 }));
    expect(later.map((item) => item.id)).toEqual(first.map((item) => item.id));
    expect(new Set(first.map((item) => item.id)).size).toBe(first.length);
    expect(first.find((item) => item.label === '#101 design_doc')?.id).toBe(
      'agent/acme/widgets#101/bd890d0a92962eb901dcb7817efb35a5',
    );
    // The elapsed time moves with the clock, the rest does not.
    expect(later.find((item) => item.label === '#101 design_doc')?.description).toMatch(/^13m 0[45]s · /);
  });

  it('puts every meta field in the tooltip and the prompt in a code block', () => {
    const agent = flatten(agentItems(value(all.agents), { nowMs: NOW })).find((item) =>
      item.label.startsWith('#303'),
    )!;
    for (const name of [
      'Run kind',
      'Flow',
      'PR',
      'Branch',
      'Started',
      'Run id',
      'Mode',
      'Session',
      'Invocation started',
      'Last progress',
      'Phase',
      'Agent pid',
      'Timeout at',
      'Idle timeout',
      'Prompt',
    ]) {
      expect(agent.tooltip).toContain(`**${name}:**`);
    }
    const html = render(agent.tooltip!);
    expect(html).toContain('<code class="language-text">Design doc for issue #303.\nConsider:\n- semver');
    expect(html).toContain('thread-be047d1d91ec');
  });

  it('exposes namespaced context values and a work target', () => {
    const agent = flatten(agentItems(value(all.agents), { nowMs: NOW })).find((item) =>
      item.label.startsWith('#103'),
    )!;
    expect(agent.contextValue).toBe('mergexo:agent+hasIssue+hasPr+hasBranch+hasRun');
    expect(agent.target).toEqual({
      repo: 'acme/widgets',
      issue: 103,
      pr: 1103,
      branch: 'agent/bugfix/103-null-deref',
      runId: '2f12e81f308177fa08a474b82d2c3cde',
    });
  });

  it('shows stalled and orphaned runs with their own icon, tooltip line and context token', () => {
    const items = flatten(
      agentItems(value(widgets.agents), {
        nowMs: NOW,
        health: (agent) =>
          agent.issue_number === 101
            ? { state: 'stalled', summary: 'no progress for 14m; idle timeout 10m' }
            : { state: 'orphaned', summary: 'left by a stopped service' },
        worktree: (agent) => (agent.issue_number === 101 ? '/tmp/worker-01' : undefined),
        banner: {
          title: 'MergeXO is not running',
          detail: '2 runs shown as active were left by a stopped service',
        },
      }),
    );
    expect(items[0]).toMatchObject({ kind: 'banner', label: 'MergeXO is not running' });
    const stalled = items.find((item) => item.label.startsWith('#101'))!;
    expect(stalled.icon).toEqual({ id: 'watch', color: 'list.warningForeground' });
    expect(stalled.contextValue).toBe('mergexo:agent+hasIssue+hasBranch+hasRun+hasWorktree+stalled');
    expect(render(stalled.tooltip!)).toContain('no progress for 14m; idle timeout 10m');
    const orphaned = items.find((item) => item.label.startsWith('#103'))!;
    expect(orphaned.icon?.id).toBe('debug-disconnect');
  });
});

describe('Tracked & Blocked items', () => {
  it('has "Blocked (n)" then "Tracked (n)" groups split by repository', () => {
    const items = trackedItems(value(all.tracked), NOW, value(all.counts));
    expect(items.map((item) => item.label)).toEqual(['Blocked (4)', 'Tracked (7)']);
    const blocked = flatten([items[0]!]).filter((item) => item.kind === 'tracked');
    expect(blocked.map((item) => [item.label, item.description])).toEqual([
      ['PR #2205', '#205 · RuntimeError: git push rejected (non-fast-forward) · 2 pending · 1h 01m ago'],
      [
        'PR #1104',
        '#104 · history rewrite detected on agent/design/104-cache-layer: n… · 2 pending · 19h 10m ago',
      ],
      ['#106', 'Need reproduction steps from the reporter · 1d 00h ago'],
      ['#304', 'Ambiguous acceptance criteria: which API version?'],
    ]);
    expect(items[0]!.children!.map((child) => child.label)).toEqual([
      'acme/gadgets',
      'acme/widgets',
      'octo/docs',
    ]);
    for (const item of blocked) expect(item.icon).toEqual({ id: 'warning', color: 'list.warningForeground' });
    const trackedRows = flatten([items[1]!]).filter((item) => item.kind === 'tracked');
    expect(trackedRows.map((item) => item.label)).toEqual([
      'PR #3307',
      'PR #1102',
      'PR #1111',
      'PR #1110',
      'PR #2207',
      'PR #2218',
      'PR #2209',
    ]);
    expect(trackedRows.every((item) => item.icon?.id === 'git-pull-request')).toBe(true);
  });

  it('explains why the overview count differs from the list (PR 1103 has a live feedback turn)', () => {
    const items = trackedItems(value(all.tracked), NOW, value(all.counts));
    expect(value(all.counts)).toEqual({ blocked: 4, tracked: 8 });
    const tooltip = render(items[1]!.tooltip!);
    expect(tooltip).toContain('7 listed. The overview counts 8 tracked.');
    expect(tooltip).toContain('feedback turn is running right now');
  });

  it('lists rows flat under a repository filter, with unique stable ids', () => {
    const items = trackedItems(value(widgets.tracked), NOW, value(widgets.counts));
    const rows = flatten(items).filter((item) => item.kind === 'tracked');
    expect(items.flatMap((group) => group.children!.map((child) => child.kind))).not.toContain('repo');
    expect(rows.map((row) => row.id)).toEqual([
      'tracked/pr/acme/widgets#1104',
      'tracked/issue/acme/widgets#106',
      'tracked/pr/acme/widgets#1102',
      'tracked/pr/acme/widgets#1111',
      'tracked/pr/acme/widgets#1110',
    ]);
    const everything = flatten(trackedItems(value(all.tracked), NOW, value(all.counts)));
    expect(new Set(everything.map((item) => item.id)).size).toBe(everything.length);
  });

  it('keeps PR and issue rows apart in context values, with commit links only when a head is known', () => {
    const rows = flatten(trackedItems(value(widgets.tracked), NOW)).filter((item) => item.kind === 'tracked');
    expect(rows.map((row) => row.contextValue)).toEqual([
      'mergexo:pr+hasIssue+hasPr+hasBranch+blocked',
      'mergexo:issue+hasIssue+hasBranch+blocked',
      'mergexo:pr+hasIssue+hasPr+hasBranch+hasCommit',
      'mergexo:pr+hasIssue+hasPr+hasBranch',
      'mergexo:pr+hasIssue+hasPr+hasBranch',
    ]);
    expect(rows[2]!.target?.sha).toMatch(/^[0-9a-f]{7,}$/);
  });

  it('gives the same number issue in two repositories two ids', () => {
    const row: TrackedRow = {
      repo_full_name: 'a/one',
      pr_number: null,
      issue_number: 7,
      status: 'awaiting_issue_followup',
      branch: '-',
      last_seen_head_sha: null,
      blocked_reason: null,
      pending_event_count: 0,
      updated_at: '-',
    };
    const items = flatten(trackedItems([row, { ...row, repo_full_name: 'b/two' }], NOW));
    const ids = items.filter((item) => item.kind === 'tracked').map((item) => item.id);
    expect(ids).toEqual(['tracked/issue/a/one#7', 'tracked/issue/b/two#7']);
    expect(items.find((item) => item.kind === 'tracked')?.contextValue).toBe(
      'mergexo:issue+hasIssue+blocked',
    );
  });
});

describe('hostile text from the database', () => {
  const hostile = {
    icon: '$(alert) $(sync~spin)',
    html: '<img src=x onerror=alert(1)>',
    link: '[x](command:foo)',
  };
  const agent: ActiveAgentDetail = {
    run_id: 'run-1',
    repo_full_name: 'evil/$(alert)',
    run_kind: 'issue_flow',
    issue_number: 1,
    pr_number: 2,
    flow: hostile.icon,
    branch: hostile.html,
    started_at: '2026-03-15T11:00:00Z',
    elapsed_seconds: 3600,
    prompt: `${hostile.link}\n\`\`\`\n${hostile.html}\n\`\`\`\`\n${hostile.icon}`,
    codex_mode: hostile.link,
    codex_session_id: '**bold** _it_ <script>x</script>',
    codex_invocation_started_at: 'javascript:alert(1)',
    liveness: {
      last_progress_at: hostile.html,
      codex_timeout_at: null,
      codex_idle_timeout_seconds: null,
      codex_timeout_seconds: null,
      codex_pid: null,
      run_phase: 'https://evil.example/x',
    },
  };
  const row: TrackedRow = {
    repo_full_name: 'evil/[x](command:foo)',
    pr_number: 9,
    issue_number: 8,
    status: 'blocked',
    branch: hostile.icon,
    last_seen_head_sha: hostile.html,
    blocked_reason: `${hostile.link} ${hostile.html}\n${hostile.icon}`,
    pending_event_count: 1,
    updated_at: '-',
  };

  function expectInert(item: ItemModel) {
    for (const text of [item.label, item.description ?? '', item.accessibilityLabel ?? '']) {
      expect(text).not.toContain('$(');
    }
    const html = render(item.tooltip ?? '');
    expect(html).not.toMatch(/<a\b/);
    expect(html).not.toMatch(/<img\b/);
    expect(html).not.toMatch(/<script\b/);
    expect(html).not.toMatch(/<strong>bold/);
    // Outside code blocks (which never expand icons) the source holds no `$(` at all; tooltips are
    // also created with supportThemeIcons = false.
    const outsideCode = (item.tooltip ?? '').replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '');
    expect(outsideCode).not.toContain('$(');
  }

  it('cannot form links, HTML, emphasis or icons in agent items', () => {
    const items = flatten(
      agentItems([agent, { ...agent, run_id: 'run-2', repo_full_name: 'b/c' }], { nowMs: NOW }),
    );
    for (const item of items) expectInert(item);
    // The text is still there for people to read.
    const tooltip = render(items.find((item) => item.kind === 'agent')!.tooltip!);
    expect(tooltip).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(tooltip).toContain('[x](command:foo)');
  });

  it('cannot form links, HTML or icons in tracked items', () => {
    for (const item of flatten(trackedItems([row, { ...row, repo_full_name: 'x/y' }], NOW)))
      expectInert(item);
  });
});
