// The writes of the "steady state" measurements: one run starts, or the last one started finishes,
// each time the clock moves on (finish times in all three of MergeXO's timestamp formats).
import type { MergexoWriter } from '../tools/mergexo-writer.mjs';

const FORMATS = ['ms', 'us', 's'] as const;
const STATUSES = ['completed', 'failed', 'completed', 'blocked', 'interrupted'];

/** A function that makes one such change; `advance` moves the clock on and returns it (ms). */
export function startsAndFinishes(
  writer: MergexoWriter,
  repos: readonly string[],
  firstIssue: number,
  advance: () => number,
): () => void {
  let live: string | null = null;
  let step = 0;
  return () => {
    step += 1;
    const now = advance();
    if (live) {
      writer.finishRun(live, {
        status: STATUSES[step % STATUSES.length]!,
        finishedAt: now - 500,
        format: FORMATS[step % 3],
      });
      live = null;
    } else {
      live = writer.startRun({
        repo: repos[step % repos.length]!,
        issue: firstIssue + step,
        runKind: 'issue_flow',
        flow: 'bugfix',
        startedAt: now - 1500,
      });
    }
  };
}
