// Recent outcomes (merged / closed work and failed runs, newest first, paged) and Roadmaps items,
// from the small.db fixture.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MergexoDatabase } from '../../src/data/database';
import type { QueryScope } from '../../src/data/types';
import { LOAD_MORE_COMMAND, outcomeItems } from '../../src/views/modelOutcomes';
import { hasRoadmaps, roadmapItems } from '../../src/views/modelRoadmaps';
import { flatten } from '../../src/views/modelItems';
import { fixturePath } from '../support/fixtures';

const NOW = Date.parse('2026-03-15T12:00:00.000Z');
const ALL: QueryScope = { repo: null, nowMs: NOW };
let db: MergexoDatabase;

beforeAll(() => {
  db = MergexoDatabase.open(fixturePath('small.db'));
});
afterAll(() => db.close());

/** What the view does: fetch `shown + 1` of each source, merge, show `shown`. */
function page(shown: number, scope = ALL) {
  const outcomes = db.queries.terminalOutcomes(scope, shown + 1);
  const failed = db.queries.failedRuns(scope, shown + 1);
  if (!outcomes.ok || !failed.ok) throw new Error('unavailable');
  return outcomeItems(outcomes.value, failed.value, { nowMs: NOW, shown, pageSize: 4 });
}

const EVERYTHING = [
  '#207 failed',
  '#105 failed',
  '#205 failed',
  '#306 failed',
  '#104 failed',
  '#203 closed',
  '#107 merged',
  '#302 failed',
  '#301 merged',
  '#112 failed',
  '#305 closed',
];

describe('Recent outcomes items', () => {
  it('merges outcomes and failed runs newest first, with "Load more" while more remain', () => {
    const first = page(4);
    expect(first.map((item) => item.label)).toEqual([...EVERYTHING.slice(0, 4), 'Load more…']);
    expect(first.at(-1)).toMatchObject({
      kind: 'loadMore',
      id: 'outcomes/load-more',
      command: { id: LOAD_MORE_COMMAND },
    });
    expect(page(8).map((item) => item.label)).toEqual([...EVERYTHING.slice(0, 8), 'Load more…']);
    expect(page(11).map((item) => item.label)).toEqual(EVERYTHING);
    expect(page(50).map((item) => item.label)).toEqual(EVERYTHING);
  });

  it('keeps ids stable and unique when more is loaded', () => {
    const small = page(4).filter((item) => item.kind !== 'loadMore');
    const large = page(11);
    expect(large.slice(0, 4).map((item) => item.id)).toEqual(small.map((item) => item.id));
    expect(new Set(large.map((item) => item.id)).size).toBe(large.length);
    expect(large[0]!.id).toBe('outcomes/run/acme/gadgets#207/04c0c939cae476cba5740da8fbc7de77');
    expect(large.find((item) => item.label === '#107 merged')!.id).toBe('outcomes/issue/acme/widgets#107');
  });

  it('describes each entry and marks its kind', () => {
    const items = page(11);
    const failed = items[0]!;
    expect(failed.description).toBe('feedback_turn · github_error · 31m 00s ago · acme/gadgets');
    expect(failed.icon).toEqual({ id: 'error', color: 'errorForeground' });
    expect(failed.contextValue).toMatch(/^mergexo:run\+hasIssue/);
    expect(failed.contextValue).toMatch(/\+hasRun\b/);
    const merged = items.find((item) => item.label === '#107 merged')!;
    expect(merged.description).toBe('PR #1107 · 9d 00h ago · acme/widgets');
    expect(merged.icon?.id).toBe('git-merge');
    expect(merged.contextValue).toBe('mergexo:outcome+hasIssue+hasPr+hasBranch');
    expect(merged.target).toEqual({
      repo: 'acme/widgets',
      issue: 107,
      pr: 1107,
      branch: 'agent/design/107-metrics',
    });
  });

  it('drops the repository from descriptions under a filter', () => {
    const scope = { repo: 'octo/docs', nowMs: NOW };
    const items = page(10, scope);
    expect(items.map((item) => item.label)).toEqual([
      '#306 failed',
      '#302 failed',
      '#301 merged',
      '#305 closed',
    ]);
    expect(items.every((item) => !item.description?.includes('octo/docs'))).toBe(true);
  });
});

describe('Roadmaps items', () => {
  it('shows lifecycle counts and blocked nodes oldest first with their age', () => {
    const counts = db.queries.roadmapLifecycleCounts(ALL);
    const blockers = db.queries.roadmapBlockerAges(ALL);
    if (!counts.ok || !blockers.ok) throw new Error('unavailable');
    expect(hasRoadmaps(counts.value)).toBe(true);
    const items = roadmapItems(counts.value, blockers.value);
    expect(items.map((item) => item.label)).toEqual(['Lifecycle', 'Blocked nodes (3)']);
    expect(items[0]!.children!.map((child) => `${child.label}: ${child.description}`)).toEqual([
      'Active: 2',
      'Awaiting revision merge: 1',
      'Superseded: 1',
      'Abandoned: 1',
      'Completed: 1',
    ]);
    expect(items[1]!.children!.map((child) => [child.label, child.description])).toEqual([
      ['#150 › n1', 'blocked 3d 00h · child #151'],
      ['#160 › n1', 'blocked 1d 23h'],
      ['#150 › n2', 'blocked 1d 00h'],
    ]);
    const all = flatten(items);
    expect(new Set(all.map((item) => item.id)).size).toBe(all.length);
    expect(items[1]!.children![0]!.target).toEqual({ repo: 'acme/widgets', issue: 151 });
  });

  it('reports no roadmaps on a database without any', () => {
    const empty = MergexoDatabase.open(fixturePath('empty.db'));
    try {
      const counts = empty.queries.roadmapLifecycleCounts(ALL);
      expect(counts.ok && hasRoadmaps(counts.value)).toBe(false);
    } finally {
      empty.close();
    }
  });
});
