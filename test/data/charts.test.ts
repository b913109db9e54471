// Chart series: the sample behind them equals the metrics figure on every fixture, buckets and
// histogram bins add up and place every run where a brute-force scan does, and the percentiles
// equal a brute-force reading of their definition.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUCKET_MS,
  bucketRuns,
  chartSeries,
  failuresByClass,
  metricSamples,
  percentile,
  runtimeHistogram,
  UNCLASSIFIED,
  type MetricSample,
} from '../../src/data/charts';
import { MergexoDatabase } from '../../src/data/database';
import { parseTimestamp, windowMs } from '../../src/data/timestamps';
import { WINDOWS, type Metrics } from '../../src/data/types';
import { assertClose, expectedFiles, fixturePath, isErrorSection } from '../support/fixtures';

const NOW = parseTimestamp('2026-03-15T12:00:00.000Z')!;

/** A small deterministic generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** The definition, read literally: the smallest observed value with ≥ p% of the sample at or below. */
function bruteForcePercentile(values: number[], percent: number): number | null {
  let best: number | null = null;
  for (const candidate of values) {
    const atOrBelow = values.filter((value) => value <= candidate).length;
    if (atOrBelow * 100 >= percent * values.length && (best === null || candidate < best)) best = candidate;
  }
  return best;
}

describe('metric samples match the metrics figure', () => {
  const files = expectedFiles().filter((file) => file.data.meta.db === 'small.db');
  let db: MergexoDatabase;
  beforeAll(() => {
    db = MergexoDatabase.open(fixturePath('small.db'));
  });
  afterAll(() => db.close());

  for (const file of files) {
    for (const window of WINDOWS) {
      it(`${file.name} ${window}`, () => {
        const expected = (file.data.metrics as Record<string, Metrics>)[window]!;
        const scope = { repo: file.data.meta.repo_filter, nowMs: parseTimestamp(file.data.meta.now)! };
        const samples = metricSamples(db, scope, window);
        if (!samples.ok) throw new Error(samples.gap.message);
        const rows = samples.value;
        expect(rows.length).toBe(expected.overall.terminal_count);
        expect(rows.filter((row) => row.terminal_status === 'failed').length).toBe(
          expected.overall.failed_count,
        );
        const durations = rows.flatMap((row) =>
          row.duration_seconds === null ? [] : [row.duration_seconds],
        );
        const mean = durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : 0;
        assertClose(mean, expected.overall.mean_runtime_seconds);
        for (const repo of expected.per_repo) {
          expect(rows.filter((row) => row.repo_full_name === repo.repo_full_name).length).toBe(
            repo.terminal_count,
          );
        }

        const series = chartSeries(rows, scope.nowMs, window);
        const bucketTotal = series.overTime.buckets.reduce((sum, bucket) => sum + bucket.runs, 0);
        const failedTotal = series.overTime.buckets.reduce((sum, bucket) => sum + bucket.failed, 0);
        expect(bucketTotal + series.overTime.unplaced).toBe(expected.overall.terminal_count);
        expect(failedTotal).toBe(expected.overall.failed_count);
        expect(series.failureClasses.reduce((sum, entry) => sum + entry.count, 0)).toBe(
          expected.overall.failed_count,
        );
        expect(series.runtime.count).toBe(durations.length);
      });
    }
  }

  it('reports the missing table on a database without run history', () => {
    const legacy = MergexoDatabase.open(fixturePath('legacy.db'));
    try {
      const samples = metricSamples(legacy, { repo: null, nowMs: NOW }, '24h');
      expect(samples.ok).toBe(false);
      if (!samples.ok) expect(samples.gap.table).toBe('agent_run_history');
      const legacyFile = expectedFiles().find((file) => file.name === 'legacy.json')!;
      expect(isErrorSection((legacyFile.data.metrics as Record<string, unknown>)['24h'])).toBe(true);
    } finally {
      legacy.close();
    }
  });

  it('gives the fixture its known 24h series', () => {
    const samples = metricSamples(db, { repo: null, nowMs: NOW }, '24h');
    if (!samples.ok) throw new Error('unavailable');
    const series = chartSeries(samples.value, NOW, '24h');
    expect(series.failureClasses).toEqual([
      { failureClass: 'agent_error', count: 1 },
      { failureClass: 'timeout', count: 1 },
    ]);
    // The ten runs of the window last 2m, 5m, 20m ×3, 30m ×2, 35m and 60m ×2 (nearest rank: 5th, 9th).
    const sorted = samples.value.map((row) => row.duration_seconds!).sort((a, b) => a - b);
    expect(sorted.map(Math.round)).toEqual([120, 300, 1200, 1200, 1200, 1800, 1800, 2100, 3600, 3600]);
    expect(series.runtime.p50).toBe(sorted[4]);
    expect(series.runtime.p90).toBe(sorted[8]);
    // The last hour of the window holds 105 (failed 11:15), 307 (11:12) and 304 (blocked 11:40).
    const last = series.overTime.buckets.at(-1)!;
    expect(last).toMatchObject({ runs: 3, failed: 1, endMs: NOW });
  });
});

describe('bucketRuns', () => {
  const sample = (finished_at: string, terminal_status = 'completed'): MetricSample => ({
    finished_at,
    terminal_status,
    duration_seconds: 1,
    failure_class: null,
    repo_full_name: 'a/b',
  });

  it('splits each window into equal buckets that end at now', () => {
    for (const window of WINDOWS) {
      const { buckets, bucketMs } = bucketRuns([], NOW, window);
      expect(bucketMs).toBe(BUCKET_MS[window]);
      expect(buckets.length * bucketMs).toBe(windowMs(window));
      expect(buckets.at(-1)!.endMs).toBe(NOW);
      expect(buckets[0]!.startMs).toBe(NOW - windowMs(window));
      buckets.slice(1).forEach((bucket, index) => expect(bucket.startMs).toBe(buckets[index]!.endMs));
    }
  });

  it('places every run in the bucket a brute-force scan finds, in all three timestamp precisions', () => {
    const next = random(7);
    const samples: MetricSample[] = [];
    for (let i = 0; i < 300; i += 1) {
      const ms = NOW - Math.floor(next() * windowMs('24h'));
      const iso = new Date(ms).toISOString();
      const text = i % 3 === 0 ? iso : i % 3 === 1 ? iso.replace(/\.\d+Z$/, 'Z') : iso.replace('Z', '123Z');
      samples.push(sample(text, next() < 0.3 ? 'failed' : 'completed'));
    }
    const { buckets, unplaced } = bucketRuns(samples, NOW, '24h');
    expect(unplaced).toBe(0);
    for (const bucket of buckets) {
      const inside = samples.filter((s) => {
        const ms = parseTimestamp(s.finished_at)!;
        return ms >= bucket.startMs && ms < bucket.endMs;
      });
      expect(bucket.runs).toBe(inside.length);
      expect(bucket.failed).toBe(inside.filter((s) => s.terminal_status === 'failed').length);
    }
  });

  it('keeps edge rows on the axis and counts unparseable ones apart', () => {
    const { buckets, unplaced } = bucketRuns(
      [sample(new Date(NOW + 5000).toISOString()), sample(new Date(NOW).toISOString()), sample('soon')],
      NOW,
      '1h',
    );
    expect(buckets.at(-1)!.runs).toBe(2);
    expect(unplaced).toBe(1);
  });
});

describe('percentile', () => {
  it('equals the brute-force definition on random samples with ties', () => {
    const next = random(42);
    for (let trial = 0; trial < 200; trial += 1) {
      const size = 1 + Math.floor(next() * 40);
      const values = Array.from({ length: size }, () => Math.round(next() * 20) * 30);
      for (const p of [1, 10, 25, 50, 75, 90, 99, 100]) {
        expect(percentile(values, p), `p${p} of ${values.join(',')}`).toBe(bruteForcePercentile(values, p));
      }
    }
  });

  it('handles the small cases and rejects a bad percent', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([1, 2], 50)).toBe(1);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 50.5)).toThrow(RangeError);
  });
});

describe('runtimeHistogram', () => {
  it('bins every value where a brute-force scan does, with contiguous nice bins', () => {
    const next = random(3);
    for (let trial = 0; trial < 100; trial += 1) {
      const scale = [10, 600, 7200, 200_000][trial % 4]!;
      const values = Array.from({ length: 1 + Math.floor(next() * 60) }, () => next() * scale);
      const histogram = runtimeHistogram(values);
      expect(histogram.bins.length).toBeGreaterThan(0);
      expect(histogram.bins.length).toBeLessThanOrEqual(12);
      expect(histogram.bins.reduce((sum, bin) => sum + bin.count, 0)).toBe(values.length);
      expect(histogram.bins[0]!.count).toBeGreaterThan(0);
      expect(histogram.bins.at(-1)!.count).toBeGreaterThan(0);
      for (const [index, bin] of histogram.bins.entries()) {
        expect(bin.toSeconds - bin.fromSeconds).toBe(histogram.binSeconds);
        if (index > 0) expect(bin.fromSeconds).toBe(histogram.bins[index - 1]!.toSeconds);
        expect(bin.count).toBe(values.filter((v) => v >= bin.fromSeconds && v < bin.toSeconds).length);
      }
      expect(histogram.p50).toBe(bruteForcePercentile(values, 50));
      expect(histogram.p90).toBe(bruteForcePercentile(values, 90));
    }
  });

  it('is empty without durations and one bin for equal values', () => {
    expect(runtimeHistogram([])).toEqual({ count: 0, p50: null, p90: null, binSeconds: 0, bins: [] });
    const same = runtimeHistogram([300, 300, 300]);
    expect(same.bins).toHaveLength(1);
    expect(same.bins[0]!.count).toBe(3);
  });
});

describe('failuresByClass', () => {
  it('counts failed runs only, most frequent first, with a label for missing classes', () => {
    const row = (terminal_status: string, failure_class: string | null): MetricSample => ({
      finished_at: '2026-03-15T11:00:00Z',
      terminal_status,
      failure_class,
      duration_seconds: null,
      repo_full_name: 'a/b',
    });
    expect(
      failuresByClass([
        row('failed', 'timeout'),
        row('failed', null),
        row('failed', 'agent_error'),
        row('failed', 'timeout'),
        row('blocked', 'policy_block'),
        row('interrupted', 'unknown'),
      ]),
    ).toEqual([
      { failureClass: 'timeout', count: 2 },
      { failureClass: 'agent_error', count: 1 },
      { failureClass: UNCLASSIFIED, count: 1 },
    ]);
  });
});
