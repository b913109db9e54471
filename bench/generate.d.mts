// Types for bench/generate.mjs.
export type Size = {
  runs: number;
  repos: number;
  days: number;
  live: number;
  transitions: number;
  openPrs: number;
  blockedPrs: number;
  events: number;
  followups: number;
  failedIssues: number;
  takeovers: number;
  roadmaps: number;
};

export const SIZES: Record<string, Size>;

/** The manifest written next to the database as <size>.json. */
export type Manifest = {
  name: string;
  file: string;
  generator: string;
  seed: number;
  now: string;
  days: number;
  windowStart: string;
  repos: string[];
  journalMode: string;
  sizes: Size;
  tables: Record<string, number>;
  runs: {
    byKind: Record<string, number>;
    byStatus: Record<string, number>;
    issueLevel: number;
    live: number;
    liveCodexActive: number;
    liveDamagedMeta: number;
    liveStale: number;
    timestampFormats: Record<string, number>;
  };
  prs: { byStatus: Record<string, number>; tracked: number; transitions: number };
  feedbackEvents: { total: number; pending: number };
  issues: {
    byStatus: Record<string, number>;
    awaitingFollowup: number;
    takenOver: number;
    githubClosed: number;
    running: number;
  };
  roadmaps: Record<string, number>;
  fileBytes: number;
  loadSeconds: number;
  totalSeconds: number;
};

export function generate(o: {
  size: string;
  seed?: number;
  out?: string;
  now?: string;
  log?: (line: string) => void;
}): Manifest;
