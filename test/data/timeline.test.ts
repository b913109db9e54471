// Timelines: what each issue and PR of the fixture shows, in which order, and how the merge treats
// mixed timestamp precisions, the span filter on restarts and unfinished runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MergexoDatabase } from '../../src/data/database';
import { mergeTimeline, readTimeline, timelineSpan, type TimelineInput } from '../../src/data/timeline';
import { parseTimestamp } from '../../src/data/timestamps';
import type { RunHistoryRow } from '../../src/data/types';
import { fixturePath } from '../support/fixtures';

const NOW = parseTimestamp('2026-03-15T12:00:00.000Z')!;

let db: MergexoDatabase;
beforeAll(() => {
  db = MergexoDatabase.open(fixturePath('small.db'));
});
afterAll(() => db.close());

const ids = (events: { id: string }[]) => events.map((event) => event.id);

describe('readTimeline on small.db', () => {
  it('issue 210: run, operator restart and the service restart it requested, newest first', () => {
    const timeline = readTimeline(db, { kind: 'issue', repo: 'acme/gadgets', number: 210 }, NOW);
    expect(ids(timeline.events)).toEqual([
      'restart:restart:2026-03-15T01:00:01.000Z',
      'command:acme/gadgets:210:92101:2026-03-15T01:00:00Z',
      'run:22bc4d35e61f8ce70dc6b9341939181d',
    ]);
    const run = timeline.events[2]!;
    expect(run).toMatchObject({ kind: 'run', terminalStatus: 'interrupted', failureClass: 'unknown' });
    expect(timeline.header).toMatchObject({
      status: 'failed',
      branch: 'agent/bugfix/210-crash',
      prNumbers: [],
    });
    expect(timeline.gaps).toEqual([]);
  });

  it('keeps restarts outside the span away', () => {
    const timeline = readTimeline(db, { kind: 'issue', repo: 'acme/gadgets', number: 207 }, NOW);
    expect(timeline.events.some((event) => event.kind === 'restart')).toBe(false);
  });

  it('issue 101: a running run is on top with its elapsed time at the snapshot', () => {
    const timeline = readTimeline(db, { kind: 'issue', repo: 'acme/widgets', number: 101 }, NOW);
    expect(timeline.events).toHaveLength(1);
    const run = timeline.events[0]!;
    expect(run).toMatchObject({ kind: 'run', state: 'running', finishedAt: null });
    if (run.kind === 'run') expect(Math.round(run.elapsedSeconds!)).toBe(720);
  });

  it('issue 204: an unfinished run without an active agent is stale, not running', () => {
    const timeline = readTimeline(db, { kind: 'issue', repo: 'acme/gadgets', number: 204 }, NOW);
    const states = timeline.events.flatMap((event) => (event.kind === 'run' ? [event.state] : []));
    expect(states).toEqual(['stale', 'finished']);
  });

  it('issue 208: runs and the transitions of both of its PRs', () => {
    const timeline = readTimeline(db, { kind: 'issue', repo: 'acme/gadgets', number: 208 }, NOW);
    expect(timeline.header.prNumbers).toEqual([2208, 2218]);
    // A run's finish (…00.001Z) is a millisecond after the transition it caused (…00.000Z).
    expect(ids(timeline.events)).toEqual([
      'run:b1ebb48d4a3e5d7e8e3e7ef62c2e31e4',
      'transition:20',
      'transition:19',
      'run:b1f7a1f0d3edcd207b974eecacc260ba',
      'transition:16',
    ]);
  });

  it('issue 111: an operator unblock between its transitions', () => {
    const timeline = readTimeline(db, { kind: 'issue', repo: 'acme/widgets', number: 111 }, NOW);
    expect(ids(timeline.events)).toEqual([
      'transition:9',
      'command:acme/widgets:1111:91111:2026-03-09T12:00:00Z',
      'transition:8',
      'run:091c4e476d8027912c2b7cb3dd66f324',
      'transition:7',
    ]);
    const command = timeline.events[1]!;
    expect(command).toMatchObject({ command: 'unblock', author: 'alice', status: 'applied' });
  });

  it('PR 1104: its feedback turn, the run that opened its branch, and its transitions', () => {
    const timeline = readTimeline(db, { kind: 'pr', repo: 'acme/widgets', number: 1104 }, NOW);
    expect(timeline.header).toMatchObject({
      status: 'blocked',
      issueNumber: 104,
      branch: 'agent/design/104-cache-layer',
    });
    expect(ids(timeline.events)).toEqual([
      'run:c64fa9405fff439122aa5c6ff9497b44',
      'transition:23',
      'run:fed60a8a239ede753610ec0f65eb025d',
      'transition:21',
    ]);
    const turn = timeline.events[0]!;
    expect(turn).toMatchObject({ failureClass: 'history_rewrite', terminalStatus: 'failed' });
  });

  it('PR 2218: only the implementation run of the shared issue, not the design run', () => {
    const timeline = readTimeline(db, { kind: 'pr', repo: 'acme/gadgets', number: 2218 }, NOW);
    expect(ids(timeline.events)).toEqual(['run:b1ebb48d4a3e5d7e8e3e7ef62c2e31e4', 'transition:20']);
  });

  it('PR 1102 shows its head commit; numbers from another repository stay apart', () => {
    const timeline = readTimeline(db, { kind: 'pr', repo: 'acme/widgets', number: 1102 }, NOW);
    expect(timeline.header.headSha).toBe('e631c5cc50e4d90dc958e6a9e5a405e255039770');
    const elsewhere = readTimeline(db, { kind: 'pr', repo: 'octo/docs', number: 1102 }, NOW);
    expect(elsewhere.events).toEqual([]);
    expect(elsewhere.header.status).toBeNull();
  });

  it('names what an older database lacks instead of failing', () => {
    const legacy = MergexoDatabase.open(fixturePath('legacy.db'));
    try {
      const timeline = readTimeline(legacy, { kind: 'issue', repo: 'acme/widgets', number: 1 }, NOW);
      expect(timeline.gaps.map((gap) => gap.table)).toEqual(
        expect.arrayContaining(['agent_run_history', 'pr_status_history']),
      );
    } finally {
      legacy.close();
    }
  });
});

describe('mergeTimeline', () => {
  const run = (id: string, started_at: string, finished_at: string | null): RunHistoryRow => ({
    run_id: id,
    repo_full_name: 'a/b',
    run_kind: 'issue_flow',
    issue_number: 1,
    pr_number: null,
    flow: null,
    branch: null,
    started_at,
    finished_at,
    terminal_status: finished_at ? 'completed' : null,
    failure_class: null,
    error: null,
    duration_seconds: null,
  });
  const empty: TimelineInput = {
    runs: [],
    activeRunIds: new Set(),
    transitions: [],
    commands: [],
    operations: [],
  };

  it('orders by instant, not by text, across the three precisions', () => {
    const events = mergeTimeline(
      {
        ...empty,
        runs: [
          // As text "…00Z" sorts after "…00.500Z"; as instants it is earlier.
          run('whole', '2026-03-15T09:00:00Z', '2026-03-15T10:00:00Z'),
          run('millis', '2026-03-15T09:00:00Z', '2026-03-15T10:00:00.500Z'),
          run('micros', '2026-03-15T09:00:00Z', '2026-03-15T10:00:00.250123Z'),
        ],
      },
      NOW,
    );
    expect(ids(events)).toEqual(['run:millis', 'run:micros', 'run:whole']);
  });

  it('puts unfinished runs first and unparseable instants last', () => {
    const events = mergeTimeline(
      {
        ...empty,
        runs: [
          run('old', '2026-03-15T08:00:00Z', '2026-03-15T08:30:00Z'),
          run('live', '2026-03-15T07:00:00Z', null),
        ],
        activeRunIds: new Set(['live']),
        transitions: [
          {
            id: 1,
            repo_full_name: 'a/b',
            pr_number: 2,
            issue_number: 1,
            from_status: null,
            to_status: 'awaiting_feedback',
            reason: null,
            detail: null,
            changed_at: 'not a time',
          },
        ],
      },
      NOW,
    );
    expect(ids(events)).toEqual(['run:live', 'run:old', 'transition:1']);
    expect(events[0]).toMatchObject({ state: 'running' });
    if (events[0]!.kind === 'run') expect(events[0]!.elapsedSeconds).toBeCloseTo(5 * 3600, 3);
  });

  it('keeps a restart only inside the span, which runs to now while a run is open', () => {
    const operation = (created_at: string) => ({
      op_name: 'restart',
      status: 'completed',
      requested_by: 'bob',
      request_repo_full_name: 'a/b',
      mode: 'git_checkout',
      detail: null,
      created_at,
      updated_at: created_at,
    });
    const operations = [operation('2026-03-15T06:00:00Z'), operation('2026-03-15T11:00:00Z')];
    const closed = { ...empty, runs: [run('r', '2026-03-15T07:00:00Z', '2026-03-15T08:00:00Z')], operations };
    expect(mergeTimeline(closed, NOW).filter((e) => e.kind === 'restart')).toHaveLength(0);
    const open = { ...empty, runs: [run('r', '2026-03-15T07:00:00Z', null)], operations };
    expect(ids(mergeTimeline(open, NOW).filter((e) => e.kind === 'restart'))).toEqual([
      'restart:restart:2026-03-15T11:00:00Z',
    ]);
    const command = {
      repo_full_name: 'a/b',
      command_key: 'k1',
      issue_number: 1,
      pr_number: null,
      author_login: 'bob',
      command: 'restart',
      status: 'applied',
      result: '',
      created_at: '2026-03-15T05:00:00Z',
      updated_at: '2026-03-15T05:00:00Z',
    };
    const requested = { ...operation('2026-03-15T11:00:00Z'), request_command_key: 'k1' };
    expect(
      ids(mergeTimeline({ ...closed, commands: [command], operations: [requested] }, NOW)).filter((id) =>
        id.startsWith('restart:'),
      ),
    ).toEqual(['restart:restart:2026-03-15T11:00:00Z']);
    expect(timelineSpan(open, NOW)).toEqual({ fromMs: parseTimestamp('2026-03-15T07:00:00Z'), toMs: NOW });
    expect(timelineSpan(empty, NOW)).toBeNull();
  });
});
