// What a table cannot tell: an agent that stopped making progress, and a service that died and left
// runs that only look active. The rules are pure functions of their inputs (tested in plain Node);
// the two small readers at the bottom (lock file, pid probe) are the only ones that touch the system.
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration } from './format';
import { parseTimestamp } from './timestamps';
import type { ActiveAgentDetail } from './types';

// ---------------------------------------------------------------------------------------------------
// Stalled agents

/** Default for the "no progress for" threshold; MergeXO's own default idle timeout is longer (15m). */
export const DEFAULT_STALL_THRESHOLD_SECONDS = 600;

export type StallKind = 'ok' | 'no-progress' | 'past-timeout';

export interface StallVerdict {
  stalled: boolean;
  kind: StallKind;
  /** Seconds since the last progress (or the start); null when neither timestamp can be read. */
  idleSeconds: number | null;
  /** Which timestamp `idleSeconds` counts from. */
  since: 'last_progress_at' | 'started_at' | null;
  /** Seconds past `codex_timeout_at`; 0 when not past it or when there is no deadline. */
  overdueSeconds: number;
  /** One line for a tooltip: `no progress for 14m; idle timeout 10m`. */
  text: string;
}

/**
 * Judges one active run. Stalled when any of these holds:
 * - `past-timeout`: now is after `codex_timeout_at` (MergeXO should already have stopped the agent);
 * - `no-progress`: the time since `last_progress_at` (or `started_at` when the run has reported no
 *   progress yet) reaches `thresholdSeconds`, or reaches the run's own `codex_idle_timeout_seconds`
 *   (past that MergeXO means to kill the agent, so a run still shown active is stuck).
 * All three timestamp precisions are accepted and unreadable timestamps are ignored rather than
 * guessed. Elapsed times are exact millisecond differences (MergeXO computes no stall figure to match,
 * and julianday's float error would turn 120 s into "1m").
 */
export function agentStall(agent: ActiveAgentDetail, nowMs: number, thresholdSeconds: number): StallVerdict {
  const { liveness } = agent;
  const progressMs = parseTimestamp(liveness.last_progress_at);
  const startedMs = parseTimestamp(agent.started_at);
  // Progress cannot predate the start; the later of the two is the last sign of life.
  let sinceMs: number | null = null;
  let since: StallVerdict['since'] = null;
  if (progressMs !== null && (startedMs === null || progressMs >= startedMs)) {
    sinceMs = progressMs;
    since = 'last_progress_at';
  } else if (startedMs !== null) {
    sinceMs = startedMs;
    since = 'started_at';
  }
  const idleSeconds = sinceMs === null ? null : elapsedSeconds(nowMs, sinceMs);
  const idleTimeout = positiveOrNull(liveness.codex_idle_timeout_seconds);
  const deadlineMs = parseTimestamp(liveness.codex_timeout_at);
  const overdueSeconds = deadlineMs !== null && nowMs > deadlineMs ? elapsedSeconds(nowMs, deadlineMs) : 0;

  const parts: string[] = [];
  if (idleSeconds !== null) {
    parts.push(
      since === 'last_progress_at'
        ? `no progress for ${roughDuration(idleSeconds)}`
        : `no progress reported in ${roughDuration(idleSeconds)} since start`,
    );
  }
  if (idleTimeout !== null) parts.push(`idle timeout ${roughDuration(idleTimeout)}`);
  if (overdueSeconds > 0) parts.unshift(`past its timeout by ${roughDuration(overdueSeconds)}`);

  let kind: StallKind = 'ok';
  if (overdueSeconds > 0) kind = 'past-timeout';
  else if (
    idleSeconds !== null &&
    (idleSeconds >= Math.max(0, thresholdSeconds) || (idleTimeout !== null && idleSeconds >= idleTimeout))
  ) {
    kind = 'no-progress';
  }
  if (kind === 'ok' && idleSeconds !== null) {
    // A healthy run reads as the time since its last sign of life, not as "no progress".
    parts[0] =
      since === 'last_progress_at' ? `progress ${roughDuration(idleSeconds)} ago` : 'started recently';
  }
  return { stalled: kind !== 'ok', kind, idleSeconds, since, overdueSeconds, text: parts.join('; ') };
}

/** `45s`, `14m`, `2h 05m`: minutes are enough precision for "how long has it been quiet". */
export function roughDuration(seconds: number): string {
  // Whole seconds first, like formatDuration: 59.6 s is "1m", not "1m 00s".
  const whole = Number.isFinite(seconds) ? Math.round(seconds) : seconds;
  if (!Number.isFinite(whole) || whole < 60) return formatDuration(whole);
  if (whole < 3600) return `${Math.floor(whole / 60)}m`;
  return formatDuration(whole);
}

function elapsedSeconds(nowMs: number, thenMs: number): number {
  return Math.max(0, (nowMs - thenMs) / 1000);
}

function positiveOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) && value > 0 ? value : null;
}

// ---------------------------------------------------------------------------------------------------
// The writer lock

/** MergeXO's lock file in its base dir (process_lock.py `_WRITER_LOCK_FILENAME`). */
export const WRITER_LOCK_FILENAME = 'writer.lock';

/** A real lock is about 150 bytes of JSON; anything far larger is not one and is not read whole. */
const LOCK_READ_LIMIT = 4096;

/**
 * What `<base_dir>/writer.lock` says. MergeXO creates it with O_EXCL while its service (or a one-off
 * `run`) holds the database, writes `{"command", "pid", "started_at", "token"}` as one JSON line,
 * and deletes it on a clean exit; a crash or SIGKILL leaves it behind with a dead pid.
 */
export type WriterLock =
  | { state: 'absent'; path: string }
  | {
      state: 'held';
      path: string;
      pid: number;
      command: string | null;
      startedAt: string | null;
      startedMs: number | null;
    }
  | {
      /** Present but not a lock we can read (empty while MergeXO is still writing it, or garbage). */
      state: 'unreadable';
      path: string;
      reason: string;
    };

/** Reads the lock file in `baseDir` (the folder that holds state.db). Never throws. */
export function readWriterLock(baseDir: string): WriterLock {
  const path = join(baseDir, WRITER_LOCK_FILENAME);
  let text: string;
  try {
    text = readHead(path, LOCK_READ_LIMIT);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { state: 'absent', path };
    return { state: 'unreadable', path, reason: `cannot read it (${code ?? String(error)})` };
  }
  return parseWriterLock(path, text);
}

/** The parsing half of {@link readWriterLock}, separate so it can be tested on any text. */
export function parseWriterLock(path: string, text: string): WriterLock {
  const trimmed = text.trim();
  if (trimmed === '') return { state: 'unreadable', path, reason: 'it is empty' };
  let payload: unknown;
  try {
    payload = JSON.parse(trimmed);
  } catch {
    return { state: 'unreadable', path, reason: 'it is not JSON' };
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return { state: 'unreadable', path, reason: 'it is not a JSON object' };
  }
  const record = payload as Record<string, unknown>;
  const pid = record.pid;
  // MergeXO accepts only a JSON integer here; so do we (a string "123" is not a pid to probe).
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid < 1) {
    return { state: 'unreadable', path, reason: 'it names no process id' };
  }
  const startedAt = typeof record.started_at === 'string' ? record.started_at : null;
  return {
    state: 'held',
    path,
    pid,
    command: typeof record.command === 'string' ? record.command : null,
    startedAt,
    startedMs: parseTimestamp(startedAt),
  };
}

function readHead(path: string, limit: number): string {
  const descriptor = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(limit);
    const length = readSync(descriptor, buffer, 0, limit, 0);
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(descriptor);
  }
}

/**
 * Whether a process with this id exists on this machine: signal 0 checks without sending anything.
 * EPERM means it exists but belongs to another user. Limits: a pid reused by an unrelated process
 * reads as alive, and a MergeXO in another pid namespace (a container) reads as gone.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid < 1) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    // EPERM: alive but not ours. Anything else: we cannot tell, so do not claim it died.
    return true;
  }
}

// ---------------------------------------------------------------------------------------------------
// Is the service running?

/**
 * How long the database may stay silent, while runs claim to be active, before a service whose lock
 * we cannot read is judged stopped: SILENCE_PERIODS refresh periods, and never less than
 * MIN_SILENCE_MS (an agent can legitimately work for minutes without a progress event).
 */
export const SILENCE_PERIODS = 60;
export const MIN_SILENCE_MS = 5 * 60_000;

export function silenceLimitMs(refreshPeriodMs: number): number {
  return Math.max(SILENCE_PERIODS * Math.max(0, refreshPeriodMs), MIN_SILENCE_MS);
}

export interface ServiceInput {
  lock: WriterLock;
  /** `isProcessAlive(lock.pid)` when the lock is held; null when not probed. */
  pidAlive: boolean | null;
  /** Latest write to state.db or its WAL (epoch ms; file mtimes), null when unknown. */
  lastWriteMs: number | null;
  nowMs: number;
  /** How often the reader refreshes; sets the silence limit. */
  refreshPeriodMs: number;
  /** Runs the database shows as active (MergeXO's definition). */
  activeRunCount: number;
  /** Overrides {@link silenceLimitMs}. */
  silenceLimitMs?: number;
}

export type ServiceReason =
  'lock-owner-alive' | 'lock-owner-gone' | 'no-lock' | 'silent' | 'recent-writes' | 'cannot-tell';

export interface ServiceVerdict {
  running: 'yes' | 'no' | 'unknown';
  reason: ServiceReason;
  /** Active runs that were left by a stopped service (0 unless `running` is 'no'). */
  orphanedRuns: number;
  /** `warning` deserves the status bar's warning colour; `info` is worth a line in a tooltip. */
  severity: 'none' | 'info' | 'warning';
  /** One sentence for a banner or tooltip. */
  message: string;
}

/**
 * Decides whether MergeXO is running, from most to least certain evidence:
 * 1. the lock names a live pid → running;
 * 2. the lock names a pid that is gone → not running (crashed or killed: the lock was left behind);
 * 3. no lock file → not running (MergeXO removes it on a clean exit);
 * 4. the lock is unreadable (MergeXO may be mid-way through writing it) → judged by writes: runs
 *    claim to be active and nothing was written for longer than the silence limit → not running;
 *    written within the limit → running; otherwise unknown.
 * Not running is a warning when it leaves runs looking active, or when a stale lock shows a crash.
 */
export function serviceLiveness(input: ServiceInput): ServiceVerdict {
  const { lock, activeRunCount } = input;
  const active = Math.max(0, Math.floor(activeRunCount));
  const limitMs = input.silenceLimitMs ?? silenceLimitMs(input.refreshPeriodMs);
  const silentMs = input.lastWriteMs === null ? null : Math.max(0, input.nowMs - input.lastWriteMs);
  const notRunning = (reason: ServiceReason, text: string, severity: 'info' | 'warning'): ServiceVerdict => ({
    running: 'no',
    reason,
    orphanedRuns: active,
    severity: active > 0 ? 'warning' : severity,
    message: active > 0 ? `${text}; ${leftBehind(active)}.` : `${text}.`,
  });

  if (lock.state === 'held' && input.pidAlive === true) {
    return {
      running: 'yes',
      reason: 'lock-owner-alive',
      orphanedRuns: 0,
      severity: 'none',
      message: `MergeXO is running (pid ${lock.pid}${since(lock.startedMs, input.nowMs)}).`,
    };
  }
  if (lock.state === 'held' && input.pidAlive === false) {
    const text = `MergeXO is not running: process ${lock.pid} named in writer.lock has exited`;
    return notRunning('lock-owner-gone', text, 'warning');
  }
  if (lock.state === 'absent') {
    return notRunning('no-lock', 'MergeXO is not running (no writer.lock in its folder)', 'info');
  }
  // Unreadable lock, or a lock whose pid was not probed: fall back to how recently the file changed.
  const why = lock.state === 'unreadable' ? `writer.lock is unreadable: ${lock.reason}` : 'pid not checked';
  if (silentMs !== null && silentMs <= limitMs) {
    return {
      running: 'yes',
      reason: 'recent-writes',
      orphanedRuns: 0,
      severity: 'none',
      message:
        'MergeXO appears to be running: the database was written ' +
        `${roughDuration(silentMs / 1000)} ago (${why}).`,
    };
  }
  if (silentMs !== null && active > 0) {
    const quiet = roughDuration(silentMs / 1000);
    const text = `MergeXO appears to have stopped: nothing written for ${quiet} (${why})`;
    return notRunning('silent', text, 'warning');
  }
  return {
    running: 'unknown',
    reason: 'cannot-tell',
    orphanedRuns: 0,
    severity: 'info',
    message: `Unable to tell whether MergeXO is running (${why}).`,
  };
}

function leftBehind(count: number): string {
  return count === 1
    ? '1 run shown as active was left by a stopped service'
    : `${count} runs shown as active were left by a stopped service`;
}

function since(startedMs: number | null, nowMs: number): string {
  return startedMs === null ? '' : `, up ${roughDuration(elapsedSeconds(nowMs, startedMs))}`;
}

/** Reads the lock and probes its pid: the one impure step before {@link serviceLiveness}. */
export function probeService(
  baseDir: string,
  rest: Omit<ServiceInput, 'lock' | 'pidAlive'>,
  alive: (pid: number) => boolean = isProcessAlive,
): ServiceVerdict & { lock: WriterLock } {
  const lock = readWriterLock(baseDir);
  const pidAlive = lock.state === 'held' ? alive(lock.pid) : null;
  return { ...serviceLiveness({ ...rest, lock, pidAlive }), lock };
}
