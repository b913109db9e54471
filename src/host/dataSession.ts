// The one open MergeXO database of a window: which file (discovery, the user's pick), opening it
// without ever crashing, polling it for changes, reopening it when it is replaced, and the scope
// (repository filter, metrics window) every view shares. No `vscode` import: the extension passes
// settings and storage in, so this runs in plain-Node tests too.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { ChangeDetector, type ChangeCheck } from '../data/changes';
import { MergexoDatabase } from '../data/database';
import {
  DEFAULT_RUNTIME_SETTINGS,
  discoverDatabases,
  expandHome,
  type DatabaseCandidate,
  type DiscoveryProblem,
} from '../data/discovery';
import { RefreshLoop } from '../data/refreshLoop';
import { errorText, isBusyError, OpenError, readErrorMessage, type DriverChoice } from '../data/sqlite';
import type { MetricsWindow } from '../data/types';
import type { Log } from '../log';
import { Messages } from '../messages';
import { Emitter } from './emitter';
import {
  REPOSITORY_PICK_KEY,
  resolveRepository,
  resolveWindow,
  WINDOW_PICK_KEY,
  type Resolved,
} from './scope';
import type { DataSession, SessionState } from './session';

export interface SessionSettings {
  /** `''` when unset, or when the workspace is untrusted (the setting is then ignored). */
  stateDbPath: string;
  /** `null`: MergeXO's `observability_refresh_seconds` from mergexo.toml, else 2. */
  refreshIntervalSeconds: number | null;
  /** `''` for all repositories. A pick kept for the workspace wins over it (see ./scope). */
  repository: string;
  /** `null` when not set explicitly: mergexo.toml's `observability_default_window`, else 24h. */
  metricsWindow: MetricsWindow | null;
}

export interface Memento {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export interface SessionEnvironment {
  settings(): SessionSettings;
  folders(): string[];
  /** Per-workspace storage (VS Code's workspaceState). */
  memento: Memento;
  log: Log;
  driver?: DriverChoice;
  home?: string;
  now?: () => number;
  /** Watch the database folder for faster change notice than the poll (default true). */
  watchFiles?: boolean;
  /** Problems found outside discovery (e.g. an ignored untrusted setting), shown with "no database". */
  notes?: () => string[];
}

/** The database chosen for this window, and where the choice came from. */
export interface ChosenDatabase {
  dbPath: string;
  baseDir: string;
  source: DatabaseCandidate['source'] | 'picked';
  candidate?: DatabaseCandidate;
}

export const PICKED_PATH_KEY = 'mergexo.pickedDatabasePath';
export const SELECTED_CANDIDATE_KEY = 'mergexo.selectedCandidatePath';

const MIN_PERIOD_MS = 250;
const WATCH_DEBOUNCE_MS = 100;
/** How often to look for a database again while none is chosen, or a config may have changed. */
const REDISCOVER_MS = 5000;

export class MergexoSession implements DataSession {
  private current: SessionState = { kind: 'none', message: Messages.noDatabase };
  private stale: number | undefined;
  private chosenDb: ChosenDatabase | undefined;
  private discovered: DatabaseCandidate[] = [];
  private discoveryProblems: DiscoveryProblem[] = [];
  /** Problems already logged, so the rediscovery every few seconds does not repeat them. */
  private loggedProblems = new Set<string>();
  /** The repository and window the views were last told about (`undefined` before the first connect). */
  private appliedScope: string | undefined;
  private detector: ChangeDetector | undefined;
  private loop: RefreshLoop | undefined;
  private loopPeriodMs = 0;
  private lastCheck: ChangeCheck | undefined;
  private rediscoverTimer: ReturnType<typeof setInterval> | undefined;
  private watcher: (FSWatcher & { folder?: string }) | undefined;
  private disposed = false;
  private readonly log: Log;
  /** Incremented whenever what the views show may differ: data, scope or state changed. */
  generation = 0;
  /** Polls and data changes since start (the idle-cost figures in the log and the notes). */
  readonly counters = { checks: 0, dataChanges: 0, reopens: 0 };

  private readonly dataEmitter: Emitter<void>;
  private readonly scopeEmitter: Emitter<void>;
  private readonly stateEmitter: Emitter<SessionState>;
  private readonly pollEmitter: Emitter<void>;
  readonly onDidChangeData;
  readonly onDidChangeScope;
  readonly onDidChangeState;
  /** Fires after every poll, changed or not (time-based rules such as stall detection listen). */
  readonly onDidPoll;

  constructor(private readonly env: SessionEnvironment) {
    this.log = env.log.child('session');
    const onError = (error: unknown) => this.log.error(`A listener failed: ${errorText(error)}`);
    this.dataEmitter = new Emitter<void>(onError);
    this.scopeEmitter = new Emitter<void>(onError);
    this.stateEmitter = new Emitter<SessionState>(onError);
    this.pollEmitter = new Emitter<void>(onError);
    this.onDidChangeData = this.dataEmitter.event;
    this.onDidChangeScope = this.scopeEmitter.event;
    this.onDidChangeState = this.stateEmitter.event;
    this.onDidPoll = this.pollEmitter.event;
  }

  get state(): SessionState {
    return this.current;
  }

  get repoFilter(): string | null {
    return this.repositoryScope().value;
  }

  get window(): MetricsWindow {
    return this.windowScope().value;
  }

  /** The repository filter and where it comes from; `withoutPick`: what the setting alone gives. */
  repositoryScope(withoutPick = false): Resolved<string | null> {
    const pick = withoutPick ? undefined : this.env.memento.get<unknown>(REPOSITORY_PICK_KEY);
    return resolveRepository(pick, this.env.settings().repository);
  }

  /** The metrics window and where it comes from; `withoutPick`: what the settings and mergexo.toml give. */
  windowScope(withoutPick = false): Resolved<MetricsWindow> {
    const pick = withoutPick ? undefined : this.env.memento.get<unknown>(WINDOW_PICK_KEY);
    return resolveWindow(
      pick,
      this.env.settings().metricsWindow,
      this.chosenDb?.candidate?.runtime.defaultWindow,
    );
  }

  /** "Select Repository…": kept for this workspace; `null` is all repositories, `undefined` follows the setting. */
  async pickRepository(repo: string | null | undefined): Promise<void> {
    await this.env.memento.update(REPOSITORY_PICK_KEY, repo === undefined ? undefined : (repo ?? ''));
    this.syncScope('picked');
  }

  /** "Select Metrics Window…": kept for this workspace; `undefined` follows the setting again. */
  async pickWindow(window: MetricsWindow | undefined): Promise<void> {
    await this.env.memento.update(WINDOW_PICK_KEY, window);
    this.syncScope('picked');
  }

  /** The poll period: the setting, else MergeXO's own refresh period from mergexo.toml, else 2 s. */
  get refreshPeriodMs(): number {
    const seconds =
      this.env.settings().refreshIntervalSeconds ??
      this.chosenDb?.candidate?.runtime.refreshSeconds ??
      DEFAULT_RUNTIME_SETTINGS.refreshSeconds;
    return Math.max(MIN_PERIOD_MS, seconds * 1000);
  }

  get chosen(): ChosenDatabase | undefined {
    return this.chosenDb;
  }

  /** Every database discovery found for this workspace (for "Select Database…"). */
  get candidates(): readonly DatabaseCandidate[] {
    return this.discovered;
  }

  get problems(): readonly DiscoveryProblem[] {
    return this.discoveryProblems;
  }

  now(): number {
    return this.env.now ? this.env.now() : Date.now();
  }

  /** Latest write to state.db or its WAL (file mtimes), for the service-liveness rule. */
  lastWriteMs(): number | null {
    return this.lastCheck?.lastWriteMs ?? null;
  }

  /**
   * When the last read failed because another process holds a lock on the file (MergeXO in the
   * middle of a long write, or a rollback-journal file), the views keep the last data and say since
   * when it is stale; `undefined` while reads succeed.
   */
  get staleSince(): number | undefined {
    return this.stale;
  }

  private markStale(): void {
    if (this.stale !== undefined) return;
    this.stale = this.now();
    this.log.warn(Messages.databaseLocked(new Date(this.stale).toLocaleTimeString()));
    // Not synchronously: this runs inside a view's read, which must not re-enter itself.
    queueMicrotask(() => this.stateEmitter.fire(this.current));
  }

  private clearStale(): void {
    if (this.stale === undefined) return;
    this.stale = undefined;
    this.log.info('The database lock was released; showing current data again.');
    queueMicrotask(() => this.stateEmitter.fire(this.current));
  }

  withDatabase<T>(read: (db: MergexoDatabase) => T): T | undefined {
    if (this.current.kind !== 'open') return undefined;
    try {
      const value = read(this.current.db);
      this.clearStale();
      return value;
    } catch (error) {
      if (isBusyError(error)) {
        this.markStale();
        return undefined;
      }
      this.log.error(readErrorMessage(error));
      // A read that fails may mean the file went away or was swapped: look now, not at the next poll.
      queueMicrotask(() => this.loop?.poke());
      return undefined;
    }
  }

  start(): void {
    this.connect('start');
    this.rediscoverTimer = setInterval(() => this.connect('rediscover'), REDISCOVER_MS);
  }

  /** The Refresh command: look for the database again and make every view re-read. */
  refresh(): void {
    this.connect('refresh');
    if (this.loop) this.loop.checkNow();
    if (this.current.kind === 'open') {
      this.bump();
      this.dataEmitter.fire();
    }
  }

  /**
   * Settings changed (`keys`: the setting names without `mergexo.`, for the log). Every change looks
   * again and re-applies everything: a path that names the same file keeps the connection, but a new
   * window, filter or poll period, from the settings or from mergexo.toml, still takes effect.
   */
  settingsChanged(keys: string[]): void {
    this.connect(`setting ${keys.join(', ')}`);
  }

  /** Workspace folders changed: discovery may find another config. */
  foldersChanged(): void {
    this.connect('folders');
  }

  /** "Open Database File…": remembered per workspace; wins over the setting and discovery. */
  async openPath(path: string): Promise<void> {
    await this.env.memento.update(PICKED_PATH_KEY, resolve(path));
    this.connect('picked');
  }

  /** "Select Database…": a discovered candidate, or `undefined` to go back to automatic. */
  async selectCandidate(dbPath: string | undefined): Promise<void> {
    await this.env.memento.update(PICKED_PATH_KEY, undefined);
    await this.env.memento.update(SELECTED_CANDIDATE_KEY, dbPath);
    this.connect('selected');
  }

  dispose(): void {
    this.disposed = true;
    if (this.rediscoverTimer) clearInterval(this.rediscoverTimer);
    this.stopWatching();
    this.closeDetector();
    for (const emitter of [this.dataEmitter, this.scopeEmitter, this.stateEmitter, this.pollEmitter]) {
      emitter.dispose();
    }
  }

  // ---- choosing and opening ---------------------------------------------------------------------

  private choose(): ChosenDatabase | undefined {
    const settings = this.env.settings();
    const home = this.env.home;
    const result = discoverDatabases({
      explicitPath: settings.stateDbPath,
      folders: this.env.folders(),
      ...(home === undefined ? {} : { home }),
    });
    this.discovered = result.candidates;
    this.discoveryProblems = result.problems;
    const picked = this.env.memento.get<string>(PICKED_PATH_KEY);
    if (picked) {
      const dbPath = resolve(expandHome(picked, home));
      return { dbPath, baseDir: dirname(dbPath), source: 'picked' };
    }
    if (result.candidates.length === 0) return undefined;
    const selected = this.env.memento.get<string>(SELECTED_CANDIDATE_KEY);
    const candidate = result.candidates.find((item) => item.dbPath === selected) ?? result.candidates[0]!;
    return { dbPath: candidate.dbPath, baseDir: candidate.baseDir, source: candidate.source, candidate };
  }

  /**
   * Re-runs discovery; when it points at another file (or none), switches to it. Either way the
   * settings that come with the choice (mergexo.toml's window and refresh period) are applied.
   */
  private connect(reason: string): void {
    if (this.disposed) return;
    const choice = this.choose();
    const previous = this.chosenDb;
    this.chosenDb = choice;
    this.logDiscoveryProblems();
    if (choice && this.detector && choice.dbPath === this.detector.path) {
      // Same file: the change detector keeps following it (replacement, deletion, recovery).
      this.applySettings(reason);
      return;
    }
    this.closeDetector();
    if (!choice) {
      const notes = [
        ...(this.env.notes?.() ?? []),
        ...this.discoveryProblems.map((problem) => problem.message),
      ];
      const message = notes.length ? Messages.noDatabaseWithProblems(notes) : Messages.noDatabase;
      if (previous || this.current.kind !== 'none') this.log.info(`No database (${reason}).`);
      this.setState({ kind: 'none', message }, reason);
      this.syncScope(reason);
      return;
    }
    this.log.info(`Using ${choice.dbPath} (${describeSource(choice)}; ${reason}).`);
    if (this.discovered.length > 1) {
      this.log.info(
        `${this.discovered.length} MergeXO databases found: ` +
          `${this.discovered.map((candidate) => candidate.dbPath).join(', ')}. ` +
          'Use "MergeXO: Select Database…" to switch.',
      );
    }
    const driver = this.env.driver;
    this.detector = new ChangeDetector(choice.dbPath, (path) =>
      MergexoDatabase.open(path, driver ? { driver } : {}),
    );
    this.restartLoop();
    this.watchFolder(choice.dbPath);
    // After the new file is open, so listeners read the new scope from it.
    this.syncScope(reason);
  }

  /** Applies what may have changed without a new file: the poll period, the repository and the window. */
  private applySettings(reason: string): void {
    if (this.detector && this.refreshPeriodMs !== this.loopPeriodMs) this.restartLoop();
    this.syncScope(reason);
  }

  /** Tells the views when the repository or the window they show changed, and only then. */
  private syncScope(reason: string): void {
    const repo = this.repositoryScope();
    const window = this.windowScope();
    const key = JSON.stringify([repo.value, window.value]);
    if (key === this.appliedScope) return;
    const first = this.appliedScope === undefined;
    this.appliedScope = key;
    if (first) return;
    this.log.info(
      `Showing ${repo.value ?? 'all repositories'} (${repo.source}), window ${window.value} ` +
        `(${window.source}; ${reason}).`,
    );
    this.bump();
    this.scopeEmitter.fire();
  }

  /** Each config problem, and each unusable value of the config in use, goes to the log once. */
  private logDiscoveryProblems(): void {
    const current = new Set<string>();
    const warnOnce = (line: string) => {
      current.add(line);
      if (!this.loggedProblems.has(line)) this.log.warn(line);
    };
    for (const problem of this.discoveryProblems) {
      const line = problem.message.includes(problem.configPath)
        ? problem.message
        : `${problem.configPath}: ${problem.message}`;
      warnOnce(`Ignored a MergeXO config. ${line}`);
    }
    for (const warning of this.chosenDb?.candidate?.warnings ?? []) warnOnce(warning);
    this.loggedProblems = current;
  }

  private restartLoop(): void {
    this.loop?.stop();
    const detector = this.detector;
    if (!detector || this.disposed) return;
    this.loopPeriodMs = this.refreshPeriodMs;
    this.loop = new RefreshLoop({
      check: () => {
        const result = detector.check();
        this.counters.checks++;
        this.lastCheck = result;
        // After onChange has run: time-based rules look again on every poll.
        setImmediate(() => this.pollEmitter.fire());
        return result;
      },
      onChange: (result) => this.onCheck(detector, result),
      onError: (error) => this.log.error(`Refreshing failed: ${errorText(error)}`),
      pollMs: this.loopPeriodMs,
      debounceMs: WATCH_DEBOUNCE_MS,
    });
    this.log.debug(`Polling every ${this.loopPeriodMs} ms.`);
    this.loop.start();
  }

  private onCheck(detector: ChangeDetector, result: ChangeCheck): void {
    if (detector !== this.detector) return;
    const path = detector.path;
    switch (result.kind) {
      case 'reopened': {
        const db = detector.database;
        if (!db) return;
        this.counters.reopens++;
        const first = this.current.kind !== 'open' || this.current.path !== path;
        this.log.info(`${first ? 'Opened' : 'Reopened (the file was replaced)'} ${path} with ${db.driver}.`);
        const gaps = db.schemaGaps();
        if (gaps.length) {
          this.log.warn(
            `This database was written by an older MergeXO: ${gaps.map((gap) => gap.message).join(' ')}`,
          );
        }
        this.setState({ kind: 'open', path, db, openedAt: this.now() }, 'opened');
        return;
      }
      case 'changed':
        this.counters.dataChanges++;
        this.log.trace(
          `Data changed (data_version ${result.dataVersion}), checked in ${result.durationMs.toFixed(2)} ms.`,
        );
        this.bump();
        this.dataEmitter.fire();
        return;
      case 'missing':
      case 'error': {
        if (result.kind === 'error' && isBusyError(result.cause) && this.current.kind === 'open') {
          // A lock is temporary: keep the open connection and the last data, marked stale.
          this.markStale();
          return;
        }
        const message = result.error ?? Messages.databaseError('Unknown reason.');
        const reason =
          result.kind === 'missing'
            ? 'missing'
            : result.cause instanceof OpenError
              ? result.cause.kind
              : 'read-failed';
        this.log.error(message);
        this.setState({ kind: 'error', path, message, reason }, result.kind);
        return;
      }
      case 'unchanged':
        return;
    }
  }

  private setState(next: SessionState, reason: string): void {
    const changed = !sameState(this.current, next);
    this.current = next;
    if (!changed) return;
    this.log.debug(`State ${next.kind} (${reason}).`);
    this.bump();
    this.stateEmitter.fire(next);
  }

  private closeDetector(): void {
    this.loop?.stop();
    this.loop = undefined;
    this.detector?.close();
    this.detector = undefined;
    this.lastCheck = undefined;
    this.stopWatching();
  }

  private bump(): void {
    this.generation += 1;
  }

  // ---- file events: a faster hint than the poll ------------------------------------------------------

  private watchFolder(dbPath: string): void {
    if (this.env.watchFiles === false) return;
    const folder = dirname(dbPath);
    const name = basename(dbPath);
    if (this.watcher?.folder === folder) return;
    this.stopWatching();
    try {
      const watcher: FSWatcher & { folder?: string } = watch(
        folder,
        { persistent: false },
        (_event, file) => {
          // -shm is touched by readers too (us included); only the database and its WAL matter.
          if (file !== null && file !== name && file !== `${name}-wal`) return;
          this.loop?.poke();
        },
      );
      watcher.folder = folder;
      watcher.on('error', () => {
        watcher.close();
        if (this.watcher === watcher) this.watcher = undefined;
      });
      this.watcher = watcher;
    } catch (error) {
      // Missing folder or no watch handles left: the poll alone still sees every change.
      this.log.debug(`Not watching ${folder}: ${errorText(error)}`);
    }
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

function describeSource(choice: ChosenDatabase): string {
  switch (choice.source) {
    case 'picked':
      return 'opened with "Open Database File…"';
    case 'setting':
      return 'from the mergexo.stateDbPath setting';
    case 'config':
      return `from ${choice.candidate?.configPath ?? 'mergexo.toml'}`;
    case 'default':
      return "MergeXO's default folder";
  }
}

function sameState(a: SessionState, b: SessionState): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'open' && b.kind === 'open') return a.db === b.db;
  if (a.kind === 'error' && b.kind === 'error') return a.path === b.path && a.message === b.message;
  if (a.kind === 'none' && b.kind === 'none') return a.message === b.message;
  return false;
}
