// When to run a change check: on a steady poll (the ground truth, since file events are missed on
// some systems and outside the workspace) and soon after a file event (`poke`), coalescing bursts.
// No `vscode` here, so the extension, the CLI's watch mode and the benchmarks share one scheduler;
// timers are injectable so tests can drive it with a fake clock.
import type { ChangeCheck } from './changes';

export interface LoopTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface RefreshLoopOptions {
  /** One change check (normally `ChangeDetector.check`). */
  check: () => ChangeCheck;
  /**
   * Called after every check that reports something: not `unchanged`, and not a `missing` or
   * `error` that repeats the previous check's. Exceptions are caught, counted and passed to `onError`.
   */
  onChange: (result: ChangeCheck) => void;
  onError?: (error: unknown) => void;
  /** Steady poll period (ms). Default 1000: a commit shows within about a second even with no events. */
  pollMs?: number;
  /**
   * Delay from the first file event of a burst to its check (ms). Default 100. Later events in the
   * window join the same check; the delay is not pushed back by them, so a writer that commits
   * continuously still gets seen every `debounceMs`, never starved.
   */
  debounceMs?: number;
  timers?: LoopTimers;
}

export interface LoopStats {
  checks: number;
  /** Checks passed to `onChange` (what the caller refreshes on). */
  notified: number;
  byKind: Record<ChangeCheck['kind'], number>;
  totalCheckMs: number;
  maxCheckMs: number;
  /** Exceptions thrown by `onChange`. */
  callbackErrors: number;
}

const defaultTimers: LoopTimers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // A poll must never keep a CLI or test process alive on its own.
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class RefreshLoop {
  readonly stats: LoopStats = {
    checks: 0,
    notified: 0,
    byKind: { unchanged: 0, changed: 0, reopened: 0, missing: 0, error: 0 },
    totalCheckMs: 0,
    maxCheckMs: 0,
    callbackErrors: 0,
  };
  private readonly pollMs: number;
  private readonly debounceMs: number;
  private readonly timers: LoopTimers;
  private pollHandle: unknown;
  private pokeHandle: unknown;
  private running = false;

  constructor(private readonly options: RefreshLoopOptions) {
    this.pollMs = Math.max(10, options.pollMs ?? 1000);
    this.debounceMs = Math.max(0, options.debounceMs ?? 100);
    this.timers = options.timers ?? defaultTimers;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Checks at once, then keeps polling. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.runCheck();
  }

  /** Stops polling and drops a pending poke (hidden views run no queries). */
  stop(): void {
    this.running = false;
    this.clear();
  }

  /** A file event: check within `debounceMs`, coalesced with other events of the burst. */
  poke(): void {
    if (!this.running || this.pokeHandle !== undefined) return;
    this.pokeHandle = this.timers.setTimeout(() => {
      this.pokeHandle = undefined;
      if (this.running) this.runCheck();
    }, this.debounceMs);
  }

  /** Checks now (for a manual refresh); the next poll is counted from here. */
  checkNow(): ChangeCheck {
    return this.runCheck();
  }

  private runCheck(): ChangeCheck {
    this.clear();
    const result = this.options.check();
    const stats = this.stats;
    stats.checks++;
    stats.byKind[result.kind]++;
    stats.totalCheckMs += result.durationMs;
    stats.maxCheckMs = Math.max(stats.maxCheckMs, result.durationMs);
    if (result.kind !== 'unchanged' && !result.repeat) {
      stats.notified++;
      try {
        this.options.onChange(result);
      } catch (error) {
        stats.callbackErrors++;
        this.options.onError?.(error);
      }
    }
    if (this.running) this.pollHandle = this.timers.setTimeout(() => this.runCheck(), this.pollMs);
    return result;
  }

  private clear(): void {
    if (this.pollHandle !== undefined) this.timers.clearTimeout(this.pollHandle);
    if (this.pokeHandle !== undefined) this.timers.clearTimeout(this.pokeHandle);
    this.pollHandle = undefined;
    this.pokeHandle = undefined;
  }
}
