// Chart series for the metrics panel: runs and failures over time, the runtime distribution with
// its percentiles, and failed runs by failure class. MergeXO's dashboard has none of these; they
// are ours, so they are computed here (not in the webview) and tested against brute force.
import { METRIC_RUN_KINDS, METRIC_TERMINAL_STATUSES } from './queries';
import type { SchemaInfo } from './schema';
import type { Connection } from './sqlite';
import { parseTimestamp, windowCutoffText, windowMs } from './timestamps';
import type { Figure, MetricsWindow, QueryScope } from './types';

/** One run of the metrics sample (the same rows `MergexoQueries.metrics` aggregates). */
export interface MetricSample {
  finished_at: string;
  duration_seconds: number | null;
  terminal_status: string;
  failure_class: string | null;
  repo_full_name: string;
}

/**
 * The raw rows behind `metrics()`: same run kinds, same terminal statuses, same text cutoff and
 * repository filter, so a chart can never disagree with the cards drawn next to it.
 */
export function metricSamples(
  source: { connection: Connection; schema: SchemaInfo },
  scope: QueryScope,
  window: MetricsWindow,
): Figure<MetricSample[]> {
  const gap = source.schema.gap(['agent_run_history']);
  if (gap) return { ok: false, gap };
  const list = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');
  const params = [windowCutoffText(scope.nowMs, window), ...(scope.repo === null ? [] : [scope.repo])];
  const rows = source.connection
    .prepare(
      `SELECT finished_at, duration_seconds, terminal_status, failure_class, repo_full_name
         FROM agent_run_history
        WHERE run_kind IN (${list(METRIC_RUN_KINDS)})
          AND terminal_status IN (${list(METRIC_TERMINAL_STATUSES)})
          AND finished_at >= ?${scope.repo === null ? '' : ' AND repo_full_name = ?'}
        ORDER BY finished_at`,
    )
    .all(...params);
  return {
    ok: true,
    notes: [],
    value: rows.map((row) => ({
      finished_at: String(row.finished_at ?? ''),
      duration_seconds: row.duration_seconds == null ? null : Number(row.duration_seconds),
      terminal_status: String(row.terminal_status ?? ''),
      failure_class: row.failure_class == null ? null : String(row.failure_class),
      repo_full_name: String(row.repo_full_name ?? ''),
    })),
  };
}

// ---- runs and failures over time -----------------------------------------------------------------

/** Bucket width per window: 12, 24, 28 and 30 buckets, each a unit people read at a glance. */
export const BUCKET_MS: Record<MetricsWindow, number> = {
  '1h': 5 * 60_000,
  '24h': 3_600_000,
  '7d': 6 * 3_600_000,
  '30d': 86_400_000,
};

export interface TimeBucket {
  startMs: number;
  endMs: number;
  /** Terminal runs of the metrics sample that finished in the bucket. */
  runs: number;
  /** Of those, runs with `terminal_status = 'failed'` (the metrics' "failed", not the overview's). */
  failed: number;
}

export interface RunBuckets {
  bucketMs: number;
  buckets: TimeBucket[];
  /** Rows whose `finished_at` does not parse; counted in the cards, not placeable on the time axis. */
  unplaced: number;
}

/**
 * Splits the window `[now − window, now]` into equal buckets that end at `now`. A row that the SQL
 * text cutoff let in but whose instant falls just outside (another timestamp precision, a clock in
 * the future) goes to the nearest edge bucket, so the bars always add up to the terminal count.
 */
export function bucketRuns(samples: MetricSample[], nowMs: number, window: MetricsWindow): RunBuckets {
  const bucketMs = BUCKET_MS[window];
  const count = Math.round(windowMs(window) / bucketMs);
  const startMs = nowMs - count * bucketMs;
  const buckets: TimeBucket[] = Array.from({ length: count }, (_, index) => ({
    startMs: startMs + index * bucketMs,
    endMs: startMs + (index + 1) * bucketMs,
    runs: 0,
    failed: 0,
  }));
  let unplaced = 0;
  for (const sample of samples) {
    const ms = parseTimestamp(sample.finished_at);
    if (ms === null) {
      unplaced += 1;
      continue;
    }
    const index = Math.min(count - 1, Math.max(0, Math.floor((ms - startMs) / bucketMs)));
    const bucket = buckets[index]!;
    bucket.runs += 1;
    if (sample.terminal_status === 'failed') bucket.failed += 1;
  }
  return { bucketMs, buckets, unplaced };
}

// ---- runtime distribution --------------------------------------------------------------------

/**
 * Nearest-rank percentile: the smallest observed value with at least `percent`% of the sample at or
 * below it. It is always a real run's duration, which is what a reader expects to look up.
 * `percent` is an integer in 1..100 so the rank is exact integer arithmetic.
 */
export function percentile(values: readonly number[], percent: number): number | null {
  if (!Number.isInteger(percent) || percent < 1 || percent > 100) {
    throw new RangeError(`percentile: percent must be an integer in 1..100, got ${percent}`);
  }
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((percent * sorted.length) / 100);
  return sorted[rank - 1]!;
}

/** Bin widths in seconds that read well on an axis (seconds, minutes, hours, days). */
const NICE_STEPS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
];

export interface HistogramBin {
  fromSeconds: number;
  toSeconds: number;
  count: number;
}

export interface RuntimeHistogram {
  binSeconds: number;
  bins: HistogramBin[];
  /** Runs with a duration (the rest have none recorded). */
  count: number;
  p50: number | null;
  p90: number | null;
}

/** Equal-width bins with a "nice" width, at most `maxBins` of them; bin k is `[from, to)`. */
export function runtimeHistogram(durations: readonly number[], maxBins = 12): RuntimeHistogram {
  const values = durations.filter((value) => Number.isFinite(value));
  const result = { count: values.length, p50: percentile(values, 50), p90: percentile(values, 90) };
  if (values.length === 0) return { ...result, binSeconds: 0, bins: [] };
  const min = Math.min(...values);
  const max = Math.max(...values);
  const fits = (step: number) => Math.floor(max / step) - Math.floor(min / step) + 1 <= maxBins;
  let step = NICE_STEPS.find(fits);
  for (let days = 2; step === undefined; days *= 2) if (fits(86400 * days)) step = 86400 * days;
  const first = Math.floor(min / step);
  const bins: HistogramBin[] = Array.from({ length: Math.floor(max / step) - first + 1 }, (_, index) => ({
    fromSeconds: (first + index) * step,
    toSeconds: (first + index + 1) * step,
    count: 0,
  }));
  for (const value of values) bins[Math.floor(value / step) - first]!.count += 1;
  return { ...result, binSeconds: step, bins };
}

// ---- failures by class -----------------------------------------------------------------------

/** The label for failed runs that carry no `failure_class`. */
export const UNCLASSIFIED = 'unclassified';

export interface ClassCount {
  failureClass: string;
  count: number;
}

/** Failed runs of the sample per `failure_class`, most frequent first; they add up to "failed". */
export function failuresByClass(samples: MetricSample[]): ClassCount[] {
  const counts = new Map<string, number>();
  for (const sample of samples) {
    if (sample.terminal_status !== 'failed') continue;
    const key = sample.failure_class ?? UNCLASSIFIED;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([failureClass, count]) => ({ failureClass, count }))
    .sort((a, b) => b.count - a.count || (a.failureClass < b.failureClass ? -1 : 1));
}

export interface ChartSeries {
  overTime: RunBuckets;
  runtime: RuntimeHistogram;
  failureClasses: ClassCount[];
}

export function chartSeries(samples: MetricSample[], nowMs: number, window: MetricsWindow): ChartSeries {
  return {
    overTime: bucketRuns(samples, nowMs, window),
    runtime: runtimeHistogram(
      samples.flatMap((sample) => (sample.duration_seconds === null ? [] : [sample.duration_seconds])),
    ),
    failureClasses: failuresByClass(samples),
  };
}
