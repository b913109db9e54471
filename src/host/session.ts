// The contract between the extension's data session (one open state.db, the repository filter,
// the refresh loop) and everything that displays it: trees, status bar, webview panels.
import type * as vscode from 'vscode';
import type { MergexoDatabase } from '../data/database';
import type { MetricsWindow } from '../data/types';

export type SessionState =
  | { kind: 'none'; message: string }
  | {
      kind: 'error';
      path: string;
      message: string;
      /** Why, for code (context keys, welcome text): an `OpenError` kind, or `read-failed`. */
      reason?: 'missing' | 'not-a-file' | 'not-a-database' | 'cannot-open' | 'no-driver' | 'read-failed';
    }
  | { kind: 'open'; path: string; db: MergexoDatabase; openedAt: number };

export interface DataSession {
  readonly state: SessionState;
  /**
   * `null` means all repositories. Applies to every view and panel: the workspace's pick ("Select
   * Repository…"), else the `mergexo.repository` setting.
   */
  readonly repoFilter: string | null;
  /** The workspace's pick ("Select Metrics Window…"), else `mergexo.metricsWindow`, else mergexo.toml's. */
  readonly window: MetricsWindow;
  /** Fires after a refresh in which the database content (or the file) changed. */
  readonly onDidChangeData: vscode.Event<void>;
  /** Fires when the repository filter or the window changes. */
  readonly onDidChangeScope: vscode.Event<void>;
  /** Fires when the session opens, loses or fails to open a database. */
  readonly onDidChangeState: vscode.Event<SessionState>;
  /** Runs `read` against the open database; `undefined` when none is open or the read failed (logged). */
  withDatabase<T>(read: (db: MergexoDatabase) => T): T | undefined;
  /** The clock every figure uses (tests can pin it). */
  now(): number;
}

/**
 * What a tree element or a command argument points at. Tree elements carry it as `target`, so a
 * context-menu command receives the element and reads `element.target`.
 */
export interface WorkTarget {
  repo: string;
  issue?: number;
  pr?: number;
  runId?: string;
  branch?: string;
  /** A commit (a tracked PR's last seen head). */
  sha?: string;
}
