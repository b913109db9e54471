// Malformed data: rows no well-behaved MergeXO writes (see malformedDataFile) go through every figure,
// the tree item models, the status bar model and the CLI. Nothing throws, elapsed times are never
// negative, garbage timestamps read as 0 elapsed, the active-agent rule is exactly MergeXO's, the
// incremental aggregates agree with a from-scratch read, and the same issue number in two
// repositories stays two things.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main';
import { MergexoDatabase } from '../../src/data/database';
import { readTimeline } from '../../src/data/timeline';
import { WINDOWS, type MetricsRow } from '../../src/data/types';
import type { DriverName } from '../../src/data/sqlite';
import { agentItems, trackedItems } from '../../src/views/model';
import { flatten, type ItemModel } from '../../src/views/modelItems';
import { outcomeItems } from '../../src/views/modelOutcomes';
import { statusModel } from '../../src/views/modelStatus';
import { DATA_NOW_MS, malformedDataFile, type MalformedData } from '../support/badFiles';

const root = mkdtempSync(join(tmpdir(), 'mergexo-malformed-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const DRIVERS: DriverName[] = ['better-sqlite3', 'node:sqlite'];
const NOW = DATA_NOW_MS;
let data: MalformedData;
beforeAll(() => {
  data = malformedDataFile(join(root, 'malformed'));
});

function saneMetrics(row: MetricsRow) {
  expect(Number.isInteger(row.terminal_count) && row.terminal_count >= 0).toBe(true);
  expect(Number.isInteger(row.failed_count) && row.failed_count <= row.terminal_count).toBe(true);
  expect(row.failure_rate).toBeGreaterThanOrEqual(0);
  expect(row.failure_rate).toBeLessThanOrEqual(1);
  expect(Number.isFinite(row.mean_runtime_seconds)).toBe(true);
  expect(Number.isFinite(row.stddev_runtime_seconds)).toBe(true);
  expect(row.stddev_runtime_seconds).toBeGreaterThanOrEqual(0);
}

/** Labels and descriptions are one line; ids are unique. */
function saneItems(items: ItemModel[]) {
  const all = flatten(items);
  expect(new Set(all.map((item) => item.id)).size).toBe(all.length);
  for (const item of all) {
    expect(item.label, item.id).not.toMatch(/[\r\n]/);
    expect(item.description ?? '', item.id).not.toMatch(/[\r\n]/);
    expect(item.label.length + (item.description ?? '').length, item.id).toBeLessThan(400);
  }
  return all;
}

describe.each(DRIVERS)('malformed rows (%s)', (driver) => {
  it('counts active agents exactly as MergeXO does, with sane elapsed times', () => {
    const db = MergexoDatabase.open(data.file, { driver });
    const dashboard = db.readDashboard({ repo: null, nowMs: NOW }, '24h');
    expect(dashboard.agents.ok).toBe(true);
    const agents = dashboard.agents.ok ? dashboard.agents.value : [];
    expect(agents.map((agent) => agent.run_id).sort()).toEqual(data.active);
    for (const agent of agents) {
      expect(Number.isFinite(agent.elapsed_seconds), agent.run_id).toBe(true);
      expect(agent.elapsed_seconds, agent.run_id).toBeGreaterThanOrEqual(0);
    }
    for (const [runId, seconds] of Object.entries(data.elapsed)) {
      const agent = agents.find((candidate) => candidate.run_id === runId)!;
      expect(agent.elapsed_seconds, runId).toBeCloseTo(seconds, 3);
    }
    // Meta fields of the wrong type read as missing, not as text.
    const wrong = agents.find((agent) => agent.run_id === 'meta-wrong-types')!;
    expect(wrong.prompt).toBeNull();
    expect(wrong.liveness).toMatchObject({ codex_pid: null, last_progress_at: null });
    expect(dashboard.overview.ok && dashboard.overview.value.active_agents).toBe(data.active.length);
    db.close();
  });

  it('keeps every figure finite in every window and filter; incremental equals from-scratch', () => {
    const db = MergexoDatabase.open(data.file, { driver });
    for (const repo of [null, 'acme/widgets', 'octo/docs']) {
      for (const window of WINDOWS) {
        const scope = { repo, nowMs: NOW };
        const dashboard = db.readDashboard(scope, window);
        expect(dashboard.overview.ok).toBe(true);
        const metrics = db.queries.metrics(scope, window);
        expect(metrics.ok).toBe(true);
        if (!metrics.ok || !dashboard.overview.ok) continue;
        for (const row of [metrics.value.overall, ...metrics.value.per_repo]) saneMetrics(row);
        expect(metrics.value).toEqual(db.queries.metricsFromScratch(scope, window));
        expect(dashboard.overview.value.failures).toBeGreaterThanOrEqual(0);
      }
    }
    db.close();
  });

  it('keeps the same issue number in two repositories apart', () => {
    const db = MergexoDatabase.open(data.file, { driver });
    const history = (repo: string | null) => db.queries.issueHistory({ repo, nowMs: NOW }, 7);
    const all = history(null);
    expect(all.ok && all.value.map((run) => `${run.repo_full_name}/${run.run_id}`).sort()).toEqual([
      'acme/widgets/same-issue-widgets',
      'octo/docs/same-issue-docs',
      'octo/docs/same-issue-finished',
    ]);
    expect(
      history('acme/widgets').ok && (history('acme/widgets') as { value: unknown[] }).value,
    ).toHaveLength(1);
    expect(history('octo/docs').ok && (history('octo/docs') as { value: unknown[] }).value).toHaveLength(2);
    const widgets = readTimeline(db, { kind: 'issue', repo: 'acme/widgets', number: 7 }, NOW);
    const docs = readTimeline(db, { kind: 'issue', repo: 'octo/docs', number: 7 }, NOW);
    expect(widgets.events.filter((event) => event.kind === 'run')).toHaveLength(1);
    expect(docs.events.filter((event) => event.kind === 'run')).toHaveLength(2);
    for (const event of [...widgets.events, ...docs.events]) {
      if (event.kind === 'run' && event.elapsedSeconds !== null) {
        expect(event.elapsedSeconds).toBeGreaterThanOrEqual(0);
      }
    }
    // Two tracked PRs #70, one per repository, with distinct ids in the tree.
    const tracked = db.readDashboard({ repo: null, nowMs: NOW }, '24h').tracked;
    expect(tracked.ok && tracked.value.filter((row) => Number(row.pr_number) === 70)).toHaveLength(2);
    db.close();
  });

  it('survives the tree item models, the status bar model and timelines', () => {
    const db = MergexoDatabase.open(data.file, { driver });
    const scope = { repo: null, nowMs: NOW };
    const dashboard = db.readDashboard(scope, '24h');
    const agents = dashboard.agents.ok ? dashboard.agents.value : [];
    const agentModels = saneItems(agentItems(agents, { nowMs: NOW }));
    const garbage = agentModels.find((item) => item.id.endsWith('/ts-garbage'))!;
    expect(garbage.description).toMatch(/^0s( ·|$)/);
    const future = agentModels.find((item) => item.id.endsWith('/ts-future'))!;
    expect(future.description).toMatch(/^0s( ·|$)/);
    const tracked = dashboard.tracked.ok ? dashboard.tracked.value : [];
    const counts = dashboard.counts.ok ? dashboard.counts.value : undefined;
    saneItems(trackedItems(tracked, NOW, counts));
    const outcomes = db.queries.terminalOutcomes(scope, 51);
    const failed = db.queries.failedRuns(scope, 51);
    saneItems(
      outcomeItems(outcomes.ok ? outcomes.value : [], failed.ok ? failed.value : [], {
        nowMs: NOW,
        shown: 50,
        pageSize: 50,
      }),
    );
    const status = statusModel({
      state: 'open',
      path: data.file,
      ...(dashboard.overview.ok ? { overview: dashboard.overview.value } : {}),
      stalled: 0,
      window: '24h',
      repo: null,
    });
    expect(status.text).not.toMatch(/[\r\n]/);
    expect(status.text).toContain(`${data.active.length} agents`);
    for (const number of [1, 7, 8, 11, 30, 31, 32]) {
      for (const repo of ['acme/widgets', 'octo/docs']) {
        const timeline = readTimeline(db, { kind: 'issue', repo, number }, NOW);
        for (const event of timeline.events) {
          if (event.kind === 'run' && event.durationSeconds !== null) {
            expect(Number.isNaN(event.durationSeconds)).toBe(false);
          }
        }
      }
    }
    db.close();
  });

  it('survives every CLI section (exit 0, tables, JSON)', () => {
    for (const section of ['overview', 'agents', 'tracked', 'outcomes', 'metrics', 'repos', 'issue 7']) {
      for (const json of [false, true]) {
        let stdout = '';
        let stderr = '';
        const args = ['--db', data.file, '--driver', driver, '--now', '2026-03-15T12:00:00Z'];
        const code = runCli([...args, ...(json ? ['--json'] : []), ...section.split(' ')], {
          stdout: (text) => (stdout += text),
          stderr: (text) => (stderr += text),
          cwd: root,
        });
        expect({ section, json, code, stderr }).toEqual({ section, json, code: 0, stderr: '' });
        expect(stdout.length).toBeGreaterThan(0);
        if (json) expect(() => JSON.parse(stdout)).not.toThrow();
      }
    }
  });
});
