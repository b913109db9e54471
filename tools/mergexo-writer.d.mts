// Types for tools/mergexo-writer.mjs (test tooling written as plain ES modules so it runs without a build).
import type { Database } from 'better-sqlite3';

export type At = Date | number | string;
export type TsFormat = 'ms' | 'us' | 's';
export type Rng = {
  next(): number;
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  weighted<K extends string>(weights: Record<K, number>): K;
  hex(n: number): string;
  exp(mean: number): number;
};

export const PINNED_NOW: string;
export const SCHEMA_FILES: Readonly<{ current: string; legacy: string; legacy_obs_v1: string }>;
export const WRITER_LOCK_FILENAME: string;
export const RUN_KINDS: readonly string[];
export const TERMINAL_STATUSES: readonly string[];
export const FAILURE_CLASSES: readonly string[];
export const FLOWS: readonly string[];

export function parseTs(text: string): number;
export function toMs(at: At): number;
export function formatTs(at: At, format?: TsFormat): string;
export function pyJson(value: unknown): string;
export function createRng(seed: number): Rng;
export function schemaSql(schema?: string): string;
export function openMergexoDb(file: string): Database;
export function createMergexoDb(file: string, options?: { schema?: string; overwrite?: boolean }): Database;
export function defaultRunMeta(o: {
  runId: string;
  runKind: string;
  flow?: string | null;
  issue: number;
  prNumber?: number | null;
  startedMs: number;
  active?: boolean;
  pid?: number;
  prompt?: string | null;
  timeoutSeconds?: number;
  idleTimeoutSeconds?: number;
}): Record<string, unknown>;

export class MergexoWriter {
  constructor(
    target: Database | string,
    options?: { clock?: () => number; format?: TsFormat; seed?: number; connectionPerOperation?: boolean },
  );
  readonly db: Database | null;
  now(): number;
  newRunId(): string;
  close(): void;
  startRun(o: {
    repo: string;
    issue: number;
    runKind?: string;
    flow?: string | null;
    branch?: string | null;
    prNumber?: number | null;
    startedAt?: At;
    format?: TsFormat;
    runId?: string;
    meta?: Record<string, unknown>;
    metaJson?: string;
    active?: boolean;
    prompt?: string | null;
    claim?: boolean;
  }): string;
  updateMeta(runId: string, patch: Record<string, unknown> | string): boolean;
  progress(runId: string, at?: At, patch?: Record<string, unknown>): boolean;
  finishRun(
    runId: string,
    o: {
      status: string;
      failureClass?: string | null;
      error?: string | null;
      finishedAt?: At;
      format?: TsFormat;
      meta?: Record<string, unknown> | false;
    },
  ): boolean;
  reconcileUnfinished(o?: { at?: At; repo?: string; failIssues?: boolean }): number;
  markIssue(o: {
    repo: string;
    issue: number;
    status: string;
    branch?: string | null;
    prNumber?: number | null;
    prUrl?: string | null;
    error?: string | null;
    githubState?: string | null;
    failureClass?: string | null;
    retryCount?: number;
    nextRetryAt?: At | null;
    activeRunId?: string | null;
    at?: At;
  }): void;
  failIssue(o: {
    repo: string;
    issue: number;
    error: string;
    failureClass?: string | null;
    retryCount?: number;
    nextRetryAt?: At | null;
    at?: At;
  }): void;
  trackPr(o: {
    repo: string;
    issue: number;
    prNumber: number;
    branch: string;
    prUrl?: string;
    headSha?: string | null;
    at?: At;
  }): void;
  transitionPr(
    repo: string,
    pr: number,
    issue: number,
    from: string | null | undefined,
    to: string,
    reason?: string | null,
    detail?: string | null,
    at?: At,
  ): boolean;
  transitionPr(o: {
    repo: string;
    pr: number;
    issue: number;
    from?: string | null;
    to: string;
    reason?: string | null;
    detail?: string | null;
    at?: At;
    branch?: string;
    headSha?: string | null;
    issueError?: string | null;
  }): boolean;
  addFeedbackEvent(o: {
    repo: string;
    pr: number;
    issue: number;
    kind?: string;
    commentId: number;
    updatedAt?: At;
    at?: At;
    eventKey?: string;
  }): string;
  processEvents(o: { repo: string; pr: number; eventKeys?: string[]; at?: At }): number;
  finalizeFeedbackTurn(o: {
    repo: string;
    pr: number;
    issue: number;
    eventKeys?: string[];
    headSha?: string;
    threadId?: string | null;
    at?: At;
  }): void;
  awaitFollowup(o: {
    repo: string;
    issue: number;
    flow: string;
    branch: string;
    waitingReason: string;
    contextJson?: string;
    lastCheckpointSha?: string | null;
    at?: At;
  }): void;
  setTakeover(o: { repo: string; issue: number; ignoreActive?: boolean; at?: At }): void;
  setGithubState(o: { repo: string; issue: number; state: string | null; at?: At }): boolean;
  pollCursor(o: {
    repo: string;
    surface: string;
    scopeNumber: number;
    lastUpdatedAt: At;
    lastCommentId: number;
    bootstrapComplete?: boolean;
    at?: At;
  }): void;
  actionToken(o: {
    repo: string;
    token: string;
    scopeKind: 'pr' | 'issue';
    scopeNumber: number;
    source: string;
    status: string;
    observedCommentId?: number | null;
    observedUpdatedAt?: At | null;
    at?: At;
  }): void;
  operatorCommand(o: {
    repo: string;
    issue: number;
    pr?: number | null;
    commentId: number;
    author: string;
    command: string;
    args?: Record<string, unknown>;
    status: string;
    result: string;
    at?: At;
    commandKey?: string;
  }): string;
  runtimeOperation(o: {
    opName?: string;
    status: string;
    requestedBy?: string;
    requestCommandKey?: string;
    requestRepo?: string;
    mode?: string;
    detail?: string | null;
    at?: At;
  }): void;
  upsertRoadmap(o: {
    repo: string;
    issue: number;
    prNumber?: number | null;
    status?: string;
    adjustmentState?: string;
    graphVersion?: number;
    lastError?: string | null;
    revisionRequestedAt?: At | null;
    supersedingIssue?: number | null;
    at?: At;
  }): void;
  upsertRoadmapNode(o: {
    repo: string;
    roadmap: number;
    nodeId: string;
    kind?: string;
    title?: string;
    status: string;
    dependsOn?: string[];
    childIssue?: number | null;
    isActive?: boolean;
    at?: At;
  }): void;
  deleteOlderThan(
    cutoff: At | { days: number; now?: At },
    o?: { repo?: string },
  ): { runs: number; transitions: number };
  checkpoint(mode?: 'PASSIVE' | 'FULL' | 'RESTART' | 'TRUNCATE'): {
    busy: number;
    log: number;
    checkpointed: number;
  };
}

export class WriterLockError extends Error {}
export type WriterLock = {
  path: string;
  pid: number;
  command: string;
  started_at: string;
  token: string;
  release: () => boolean;
};
export function readLockOwner(file: string): {
  pid: number | null;
  command: string | null;
  started_at: string | null;
  token: string | null;
};
export function acquireLock(baseDir: string, o?: { command?: string; now?: At }): WriterLock;
export function releaseLock(lock?: WriterLock | null): boolean;
