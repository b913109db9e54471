// Opening a MergeXO state.db for reading, with a clear reason for every way that can fail, and the
// one-call snapshot that the sidebar, the status bar and the CLI's overview are drawn from.
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { FeedbackTracker, RunTracker } from './incremental';
import { MergexoQueries } from './queries';
import { SchemaInfo } from './schema';
import {
  errorText,
  isBusyError,
  isCorruptError,
  OpenError,
  openReadOnly,
  type Connection,
  type OpenOptions,
} from './sqlite';
import type {
  ActiveAgentDetail,
  Figure,
  MetricsWindow,
  Overview,
  QueryScope,
  SchemaGap,
  TrackedRow,
} from './types';

const SQLITE_HEADER = 'SQLite format 3\0';

/** True when the file's header says WAL mode (sqlite.org/fileformat2.html, offsets 18 and 19). */
function isWalFile(path: string): boolean {
  const header = Buffer.alloc(20);
  let descriptor: number | undefined;
  try {
    descriptor = openSync(path, 'r');
    if (readSync(descriptor, header, 0, header.length, 0) < header.length) return false;
  } catch {
    return false;
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
  return header[18] === 2 || header[19] === 2;
}

/**
 * A read-only connection to a WAL database still needs `<name>-shm` (the WAL index) and creates it
 * when it is missing; in a folder it cannot write to, SQLite only says "unable to open". Returns the
 * real reason when that is the situation.
 */
function readOnlyFolderReason(path: string): string | undefined {
  if (existsSync(`${path}-shm`) || !isWalFile(path)) return undefined;
  try {
    accessSync(dirname(path), constants.W_OK);
    return undefined;
  } catch {
    const shm = `${basename(path)}-shm`;
    return `the directory is read-only and ${shm} is missing; SQLite needs to create it to read a WAL database`;
  }
}

/** One clear reason for a failure to read a file that passed {@link checkDatabaseFile}. */
function readFailure(path: string, error: unknown): OpenError {
  // Classified by SQLite's result codes, never by message text.
  const cause = error instanceof OpenError && error.cause !== undefined ? error.cause : error;
  const detail = error instanceof OpenError ? (error.detail ?? error.message) : errorText(error);
  const folder = readOnlyFolderReason(path);
  if (folder) return new OpenError('cannot-open', `Unable to read ${path}: ${folder}.`, detail, cause);
  if (isBusyError(cause)) {
    return new OpenError(
      'cannot-open',
      `Unable to read ${path} right now: another process holds a lock on it. Trying again shortly.`,
      detail,
      cause,
    );
  }
  if (isCorruptError(cause)) {
    return new OpenError('not-a-database', `Unable to read ${path}: the database is damaged.`, detail, cause);
  }
  if (error instanceof OpenError) return error;
  return new OpenError('cannot-open', `Unable to read ${path}: ${detail}`, detail, cause);
}

/** Checks the path before SQLite sees it, so each failure gets its own wording. */
export function checkDatabaseFile(path: string): void {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new OpenError('missing', `Unable to find the MergeXO database: ${path} does not exist.`);
  }
  if (!stats.isFile()) {
    const what = stats.isDirectory() ? 'a directory' : 'a device, pipe or socket';
    throw new OpenError('not-a-file', `Unable to open ${path}: it is ${what}, not a database file.`);
  }
  if (stats.size === 0) {
    throw new OpenError('not-a-database', `Unable to read ${path}: the file is empty.`);
  }
  const header = Buffer.alloc(16);
  let descriptor: number | undefined;
  try {
    descriptor = openSync(path, 'r');
    readSync(descriptor, header, 0, 16, 0);
  } catch (error) {
    throw new OpenError('cannot-open', `Unable to read ${path}.`, errorText(error));
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) {
    throw new OpenError('not-a-database', `Unable to read ${path}: it is not an SQLite database.`);
  }
}

export class MergexoDatabase {
  readonly queries: MergexoQueries;
  /** Incremental run aggregates behind `queries.metrics` / `failures` / `unfinishedRuns`. */
  readonly tracker: RunTracker | undefined;
  /** Incremental feedback-event aggregates behind the tracked list's pending counts and activity. */
  readonly feedback: FeedbackTracker | undefined;
  /** The tracked list and work counts of the last dashboard read, valid while data_version stands. */
  private work:
    { version: number; repo: string | null; tracked: Figure<TrackedRow[]>; counts: WorkCounts } | undefined;

  private constructor(
    readonly connection: Connection,
    readonly schema: SchemaInfo,
    options: { incremental?: boolean } = {},
  ) {
    const incremental = options.incremental !== false;
    this.tracker = incremental ? RunTracker.create(connection, schema) : undefined;
    this.feedback = incremental ? FeedbackTracker.create(connection, schema) : undefined;
    this.queries = new MergexoQueries(connection, schema, this.tracker, this.feedback);
  }

  /** Opens read-only; throws {@link OpenError} with a message fit for the user. */
  static open(path: string, options: DatabaseOptions = {}): MergexoDatabase {
    checkDatabaseFile(path);
    let opened: Connection;
    try {
      opened = openReadOnly(path, options);
    } catch (error) {
      throw error instanceof OpenError && error.kind !== 'cannot-open' ? error : readFailure(path, error);
    }
    const connection = options.wrap ? options.wrap(opened) : opened;
    let schema: SchemaInfo;
    try {
      schema = SchemaInfo.read(connection);
    } catch (error) {
      connection.close();
      throw readFailure(path, error);
    }
    if (!schema.isMergexo()) {
      connection.close();
      throw new OpenError(
        'not-a-database',
        `Unable to use ${path}: it is an SQLite database, but not one written by MergeXO (no issue_runs table).`,
      );
    }
    if (schema.isSingleRepository()) {
      connection.close();
      throw new OpenError(
        'not-a-database',
        `Unable to use ${path}: it has MergeXO's very old single-repository layout (issue_runs has no ` +
          'repo_full_name column), which MergeXO itself no longer reads.',
      );
    }
    return new MergexoDatabase(connection, schema, options);
  }

  get driver() {
    return this.connection.driver;
  }

  /** Changes whenever another connection commits; cheap enough to poll (issue: live refresh). */
  dataVersion(): number {
    const row = this.connection.prepare('PRAGMA data_version').get();
    return Number(row?.data_version ?? 0);
  }

  /** Tables and columns this file lacks compared with the current MergeXO schema. */
  schemaGaps(): SchemaGap[] {
    return this.schema.gaps(CURRENT_SCHEMA_REQUIREMENTS);
  }

  close(): void {
    this.connection.close();
  }

  /** Everything the sidebar and status bar show, read inside one snapshot. */
  readDashboard(scope: QueryScope, window: MetricsWindow, rowLimit = 200): DashboardSnapshot {
    return this.connection.readSnapshot(() => {
      const version = this.dataVersion();
      const unfinished = this.queries.unfinishedRuns(scope);
      const runs = unfinished.ok ? unfinished.value : undefined;
      const agents: Figure<ActiveAgentDetail[]> = unfinished.ok
        ? this.queries.activeAgents(scope, undefined, runs)
        : unfinished;
      // The tracked list and the counts depend on the data only (no clock): while data_version stands
      // still they are what the last read found.
      let cached = this.work;
      if (!cached || cached.version !== version || cached.repo !== scope.repo) {
        const work = this.queries.trackedWork(scope, runs ?? []);
        cached = { version, repo: scope.repo, tracked: work.tracked!, counts: work.counts };
        this.work = cached;
      }
      const tracked = cached.tracked;
      const work = cached.counts;
      const failures = this.queries.failures(scope, window);
      const metrics = this.queries.metrics(scope, window);
      const overview: Figure<Overview> =
        agents.ok && work.ok && failures.ok && metrics.ok
          ? {
              ok: true,
              notes: work.notes,
              value: {
                active_agents: agents.value.length,
                blocked_prs: work.value.blocked,
                tracked_prs: work.value.tracked,
                failures: failures.value,
                mean_runtime_seconds: metrics.value.overall.mean_runtime_seconds,
                stddev_runtime_seconds: metrics.value.overall.stddev_runtime_seconds,
              },
            }
          : { ok: false, gap: firstGap([agents, work, failures, metrics]) };
      return {
        nowMs: scope.nowMs,
        window,
        repo: scope.repo,
        agents: agents.ok ? { ...agents, value: agents.value.slice(0, rowLimit) } : agents,
        totalAgents: agents.ok ? agents.value.length : 0,
        tracked: tracked.ok ? { ...tracked, value: tracked.value.slice(0, rowLimit) } : tracked,
        counts: work,
        failures,
        overview,
      };
    });
  }
}

export interface DatabaseOptions extends OpenOptions {
  /** Keep incremental run aggregates (default true); false reads every figure from the database. */
  incremental?: boolean;
  /** Wraps the connection (the benchmark records the statements a refresh runs). */
  wrap?: (connection: Connection) => Connection;
}

export interface DashboardSnapshot {
  nowMs: number;
  window: MetricsWindow;
  repo: string | null;
  agents: Figure<ActiveAgentDetail[]>;
  totalAgents: number;
  tracked: Figure<TrackedRow[]>;
  counts: Figure<{ blocked: number; tracked: number }>;
  failures: Figure<number>;
  /** The overview as MergeXO defines it; a gap when any part of it is unavailable. */
  overview: Figure<Overview>;
}

type WorkCounts = Figure<{ blocked: number; tracked: number }>;

function firstGap(figures: Figure<unknown>[]): SchemaGap {
  for (const figure of figures) if (!figure.ok) return figure.gap;
  throw new Error('firstGap called with only available figures');
}

/** What the current MergeXO creates; used to tell the user what an older file lacks. */
export const CURRENT_SCHEMA_REQUIREMENTS = [
  'issue_runs.github_state',
  'agent_run_history',
  'pr_status_history',
  'pr_feedback_state',
  'feedback_events',
  'pre_pr_followup_state',
  'issue_takeover_state',
  'action_tokens',
  'github_comment_poll_cursors',
  'operator_commands',
  'runtime_operations',
  'roadmap_state',
  'roadmap_nodes',
];
