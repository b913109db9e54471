// Timing shared by the benchmarks: medians of repeated runs after a warm-up.

export interface Timing {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** `fn` run `warmup` times unmeasured, then `runs` times measured (ms). */
export function timeRuns(runs: number, warmup: number, fn: () => unknown): Timing {
  for (let index = 0; index < warmup; index += 1) fn();
  const samples: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    const started = performance.now();
    fn();
    samples.push(performance.now() - started);
  }
  return summarize(samples);
}

export function summarize(samples: number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, runs: samples.length };
}
