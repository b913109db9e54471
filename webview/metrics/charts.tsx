// The metrics charts. uPlot draws the two time/number charts: it is ~50 kB minified with no
// dependencies and draws thousands of points on a canvas in a few milliseconds, where Chart.js
// is ~200 kB and would break the 150 kB budget per page on its own. Canvas cannot read CSS
// variables, so colours are read from the theme's `--vscode-charts-*` variables at draw time and
// the charts are rebuilt when the theme changes. Every chart also has its numbers as a table.
import uPlot from 'uplot';
import { useEffect, useId, useRef } from 'preact/hooks';
import type { ClassCount, RunBuckets, RuntimeHistogram } from '../../src/data/charts';
import { useThemeKey } from '../shared/hooks';
import { formatDuration, safeLine } from '../shared/format';

interface ChartColors {
  foreground: string;
  grid: string;
  runs: string;
  failed: string;
  p50: string;
  p90: string;
  font: string;
}

function cssVariable(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

function readColors(): ChartColors {
  const style = getComputedStyle(document.body);
  const family = cssVariable(style, '--vscode-font-family', 'sans-serif');
  const size = cssVariable(style, '--vscode-font-size', '13px');
  return {
    foreground: cssVariable(
      style,
      '--vscode-charts-foreground',
      cssVariable(style, '--vscode-foreground', '#888'),
    ),
    grid: cssVariable(style, '--vscode-charts-lines', 'rgba(128,128,128,0.35)'),
    runs: cssVariable(style, '--vscode-charts-blue', '#3794ff'),
    failed: cssVariable(style, '--vscode-charts-red', '#f14c4c'),
    p50: cssVariable(style, '--vscode-charts-yellow', '#cca700'),
    p90: cssVariable(style, '--vscode-charts-purple', '#b180d7'),
    font: `${size} ${family}`,
  };
}

/** happy-dom and very old hosts have no 2D canvas; the data tables still render there. */
function canDraw(): boolean {
  try {
    return !!document.createElement('canvas').getContext('2d');
  } catch {
    return false;
  }
}

const HEIGHT = 200;

function axis(colors: ChartColors, extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  return {
    stroke: colors.foreground,
    font: colors.font,
    grid: { stroke: colors.grid, width: 1 },
    ticks: { stroke: colors.grid, width: 1 },
    ...extra,
  };
}

/** Mounts a uPlot chart and rebuilds it when its data or the theme changes; resizes with its box. */
function UPlot(props: {
  build: (colors: ChartColors, width: number) => uPlot.Options;
  data: uPlot.AlignedData;
  /** Identifies the data: the chart is rebuilt only when this (or the theme) changes. */
  dataKey: unknown;
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const latest = useRef(props);
  latest.current = props;
  const theme = useThemeKey();
  useEffect(() => {
    const element = box.current;
    if (!element || !canDraw()) return;
    const { build, data } = latest.current;
    const chart = new uPlot(build(readColors(), Math.max(240, element.clientWidth)), data, element);
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(240, element.clientWidth), height: HEIGHT }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [props.dataKey, theme]);
  return <div ref={box} class="chart" role="img" aria-label={props.label} />;
}

// ---- runs and failures over time --------------------------------------------------------------

function bucketLabel(bucketMs: number): string {
  const minutes = bucketMs / 60_000;
  if (minutes < 60) return `${minutes}-minute`;
  if (minutes < 1440) return `${minutes / 60}-hour`;
  return `${minutes / 1440}-day`;
}

export function RunsOverTime(props: { series: RunBuckets; windowLabel: string; dataKey: unknown }) {
  const captionId = useId();
  const { buckets, bucketMs, unplaced } = props.series;
  // Empty buckets are gaps (null), not zero-height bars drawn as a line along the axis.
  const data: uPlot.AlignedData = [
    buckets.map((bucket) => bucket.startMs / 1000),
    buckets.map((bucket) => bucket.runs || null),
    buckets.map((bucket) => bucket.failed || null),
  ];
  const total = buckets.reduce((sum, bucket) => sum + bucket.runs, 0);
  const failed = buckets.reduce((sum, bucket) => sum + bucket.failed, 0);
  const build = (colors: ChartColors, width: number): uPlot.Options => ({
    width,
    height: HEIGHT,
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true, range: (_u, min, max) => [min, max + bucketMs / 1000] },
      y: { range: [0, null] },
    },
    axes: [
      axis(colors),
      axis(colors, { values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')) }),
    ],
    series: [
      {},
      {
        label: 'Terminal runs',
        stroke: colors.runs,
        fill: colors.runs,
        paths: uPlot.paths.bars!({ size: [0.9, 60], align: 1 }),
        points: { show: false },
      },
      {
        label: 'Failed',
        stroke: colors.failed,
        fill: colors.failed,
        paths: uPlot.paths.bars!({ size: [0.45, 30], align: 1 }),
        points: { show: false },
      },
    ],
  });
  return (
    <figure class="chart-figure" aria-labelledby={captionId}>
      <figcaption id={captionId}>
        Runs and failures over the last {props.windowLabel}
        <span class="caption-note"> ({bucketLabel(bucketMs)} buckets)</span>
      </figcaption>
      <UPlot
        build={build}
        data={data}
        dataKey={props.dataKey}
        label={`Bar chart: ${total} terminal runs and ${failed} failed in the last ${props.windowLabel}.`}
      />
      {unplaced > 0 && (
        <p class="caption-note">{unplaced} runs have an unreadable finish time and are not drawn.</p>
      )}
      <details class="chart-data">
        <summary>Data</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col">Terminal runs</th>
              <th scope="col">Failed</th>
            </tr>
          </thead>
          <tbody>
            {buckets
              .filter((bucket) => bucket.runs > 0)
              .map((bucket) => (
                <tr key={bucket.startMs}>
                  <td>{new Date(bucket.startMs).toLocaleString()}</td>
                  <td>{bucket.runs}</td>
                  <td>{bucket.failed}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

// ---- runtime distribution ------------------------------------------------------------------------

export function RuntimeDistribution(props: { histogram: RuntimeHistogram; dataKey: unknown }) {
  const captionId = useId();
  const { bins, binSeconds, p50, p90, count } = props.histogram;
  if (count === 0) {
    return (
      <figure class="chart-figure" aria-labelledby={captionId}>
        <figcaption id={captionId}>Runtime distribution</figcaption>
        <p class="empty">No run with a duration in this window.</p>
      </figure>
    );
  }
  const data: uPlot.AlignedData = [bins.map((bin) => bin.fromSeconds), bins.map((bin) => bin.count || null)];
  const build = (colors: ChartColors, width: number): uPlot.Options => ({
    width,
    height: HEIGHT,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: false, range: () => [bins[0]!.fromSeconds, bins.at(-1)!.toSeconds] },
      y: { range: [0, null] },
    },
    axes: [
      axis(colors, {
        // Ticks on the bin edges, thinned so labels never crowd (about 90 px each).
        splits: () => {
          const edges = [...bins.map((bin) => bin.fromSeconds), bins.at(-1)!.toSeconds];
          const every = Math.max(1, Math.ceil(edges.length / Math.max(2, Math.floor(width / 90))));
          return edges.filter((_edge, index) => index % every === 0);
        },
        values: (_u, splits) => splits.map((v) => formatDuration(v)),
      }),
      axis(colors, { values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')) }),
    ],
    series: [
      {},
      {
        label: 'Runs',
        stroke: colors.runs,
        fill: colors.runs,
        paths: uPlot.paths.bars!({ size: [0.92, Infinity], align: 1 }),
        points: { show: false },
      },
    ],
    hooks: {
      // The percentile markers: vertical lines in the plot area.
      draw: [
        (chart) => {
          const context = chart.ctx;
          const markers: Array<[number | null, string, string]> = [
            [p50, colors.p50, 'p50'],
            [p90, colors.p90, 'p90'],
          ];
          context.save();
          context.lineWidth = 2 * uPlot.pxRatio;
          context.font = colors.font.replace(
            /^(\d+(?:\.\d+)?)px/,
            (_m, px: string) => `${Number(px) * uPlot.pxRatio}px`,
          );
          for (const [value, color, name] of markers) {
            if (value === null) continue;
            const x = chart.valToPos(value, 'x', true);
            context.strokeStyle = color;
            context.fillStyle = color;
            context.setLineDash(name === 'p90' ? [6 * uPlot.pxRatio, 4 * uPlot.pxRatio] : []);
            context.beginPath();
            context.moveTo(x, chart.bbox.top);
            context.lineTo(x, chart.bbox.top + chart.bbox.height);
            context.stroke();
            context.fillText(
              name,
              x + 4 * uPlot.pxRatio,
              chart.bbox.top + (name === 'p50' ? 14 : 30) * uPlot.pxRatio,
            );
          }
          context.restore();
        },
      ],
    },
  });
  return (
    <figure class="chart-figure" aria-labelledby={captionId}>
      <figcaption id={captionId}>
        Runtime distribution
        <span class="caption-note">
          {' ('}p50 <strong>{formatDuration(p50)}</strong>, p90 <strong>{formatDuration(p90)}</strong>
          {`, ${count} runs)`}
        </span>
      </figcaption>
      <UPlot
        build={build}
        data={data}
        dataKey={props.dataKey}
        label={
          `Histogram of ${count} run durations; ` +
          `median ${formatDuration(p50)}, 90th percentile ${formatDuration(p90)}.`
        }
      />
      <div class="legend-keys" aria-hidden="true">
        <span class="key key-p50">p50 (solid)</span>
        <span class="key key-p90">p90 (dashed)</span>
      </div>
      <details class="chart-data">
        <summary>Data</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Duration</th>
              <th scope="col">Runs</th>
            </tr>
          </thead>
          <tbody>
            {bins.map((bin) => (
              <tr key={bin.fromSeconds}>
                <td>
                  {formatDuration(bin.fromSeconds)} – {formatDuration(bin.fromSeconds + binSeconds)}
                </td>
                <td>{bin.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

// ---- failures by class ---------------------------------------------------------------------------

/** A bar list in HTML: a handful of categories reads better (and more accessibly) as rows. */
export function FailuresByClass(props: { classes: ClassCount[] }) {
  const captionId = useId();
  const max = Math.max(1, ...props.classes.map((entry) => entry.count));
  return (
    <figure class="chart-figure" aria-labelledby={captionId}>
      <figcaption id={captionId}>Failed runs by failure class</figcaption>
      {props.classes.length === 0 ? (
        <p class="empty">No failed run in this window.</p>
      ) : (
        <table class="bar-list">
          <thead class="visually-hidden">
            <tr>
              <th scope="col">Failure class</th>
              <th scope="col">Failed runs</th>
            </tr>
          </thead>
          <tbody>
            {props.classes.map((entry) => (
              <tr key={entry.failureClass}>
                <th scope="row" class="bar-label">
                  {safeLine(entry.failureClass, 200)}
                </th>
                <td class="bar-cell">
                  <span class="bar" style={{ width: `${(entry.count / max) * 100}%` }} />
                  <span class="bar-value">{entry.count}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </figure>
  );
}
