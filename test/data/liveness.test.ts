// Stall and service-liveness rules: pure functions, plus the lock-file reader on real files.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import {
  agentStall,
  isProcessAlive,
  MIN_SILENCE_MS,
  parseWriterLock,
  probeService,
  readWriterLock,
  roughDuration,
  serviceLiveness,
  silenceLimitMs,
  type ServiceInput,
  type WriterLock,
} from '../../src/data/liveness';
import type { ActiveAgentDetail, AgentLiveness } from '../../src/data/types';

const NOW = Date.parse('2026-03-15T12:00:00.000Z');
const MIN = 60_000;

function agent(startedAt: string, liveness: Partial<AgentLiveness> = {}): ActiveAgentDetail {
  return {
    run_id: 'r1',
    repo_full_name: 'acme/widgets',
    run_kind: 'issue_flow',
    issue_number: 7,
    pr_number: null,
    flow: 'bugfix',
    branch: 'agent/7',
    started_at: startedAt,
    elapsed_seconds: 0,
    prompt: null,
    codex_mode: null,
    codex_session_id: null,
    codex_invocation_started_at: null,
    liveness: {
      last_progress_at: null,
      codex_timeout_at: null,
      codex_idle_timeout_seconds: null,
      codex_timeout_seconds: null,
      codex_pid: null,
      run_phase: null,
      ...liveness,
    },
  };
}

describe('agentStall', () => {
  it('reports the issue example: no progress for 14m against a 10m idle timeout', () => {
    const verdict = agentStall(
      agent('2026-03-15T11:00:00.000Z', {
        last_progress_at: '2026-03-15T11:46:00.123456Z', // Python-made, microseconds
        codex_idle_timeout_seconds: 600,
      }),
      NOW,
      3600,
    );
    expect(verdict.stalled).toBe(true);
    expect(verdict.kind).toBe('no-progress');
    expect(verdict.since).toBe('last_progress_at');
    expect(Math.round(verdict.idleSeconds!)).toBe(840);
    expect(verdict.text).toBe('no progress for 14m; idle timeout 10m');
  });

  it('uses the configured threshold when the run has no idle timeout', () => {
    const run = agent('2026-03-15T11:00:00Z', { last_progress_at: '2026-03-15T11:45:00Z' });
    expect(agentStall(run, NOW, 15 * 60).kind).toBe('no-progress'); // exactly at the threshold
    const calm = agentStall(run, NOW, 15 * 60 + 1);
    expect(calm).toMatchObject({ stalled: false, kind: 'ok' });
    expect(calm.text).toBe('progress 15m ago');
  });

  it('counts from started_at when no progress was reported, in SQLite millisecond format', () => {
    const verdict = agentStall(agent('2026-03-15T11:40:00.000Z'), NOW, 600);
    expect(verdict).toMatchObject({ stalled: true, kind: 'no-progress', since: 'started_at' });
    expect(verdict.idleSeconds).toBe(1200);
    expect(verdict.text).toBe('no progress reported in 20m since start');
  });

  it('never counts from a progress stamp older than the start', () => {
    const verdict = agentStall(
      agent('2026-03-15T11:58:00Z', { last_progress_at: '2026-03-15T10:00:00Z' }),
      NOW,
      600,
    );
    expect(verdict).toMatchObject({ stalled: false, since: 'started_at', idleSeconds: 120 });
  });

  it('flags a run past codex_timeout_at even while it still reports progress', () => {
    const verdict = agentStall(
      agent('2026-03-15T10:00:00Z', {
        last_progress_at: '2026-03-15T11:59:50.5Z',
        codex_timeout_at: '2026-03-15T11:55:00.000000Z',
        codex_idle_timeout_seconds: 900,
      }),
      NOW,
      600,
    );
    expect(verdict).toMatchObject({ stalled: true, kind: 'past-timeout', overdueSeconds: 300 });
    expect(verdict.text).toBe('past its timeout by 5m; no progress for 10s; idle timeout 15m');
  });

  it('is not stalled before its deadline and within both limits', () => {
    const verdict = agentStall(
      agent('2026-03-15T11:30:00Z', {
        last_progress_at: '2026-03-15T11:58:00Z',
        codex_timeout_at: '2026-03-15T12:30:00Z',
        codex_idle_timeout_seconds: 900,
      }),
      NOW,
      600,
    );
    expect(verdict).toMatchObject({ stalled: false, kind: 'ok', overdueSeconds: 0 });
    expect(verdict.text).toBe('progress 2m ago; idle timeout 15m');
  });

  it('ignores garbage timestamps and a zero or negative idle timeout instead of guessing', () => {
    const verdict = agentStall(
      agent('not a time', {
        last_progress_at: 'yesterday',
        codex_timeout_at: '2026-13-45T99:00:00Z',
        codex_idle_timeout_seconds: 0,
      }),
      NOW,
      600,
    );
    expect(verdict).toEqual({
      stalled: false,
      kind: 'ok',
      idleSeconds: null,
      since: null,
      overdueSeconds: 0,
      text: '',
    });
    const negative = agentStall(agent('2026-03-15T11:59:00Z', { codex_idle_timeout_seconds: -5 }), NOW, 600);
    expect(negative.stalled).toBe(false);
  });

  it('treats a start in the future (clock skew) as zero idle time', () => {
    const verdict = agentStall(agent('2026-03-15T12:05:00Z'), NOW, 600);
    expect(verdict).toMatchObject({ stalled: false, idleSeconds: 0 });
  });
});

describe('roughDuration', () => {
  it('keeps seconds under a minute, whole minutes under an hour, hours and minutes above', () => {
    expect(roughDuration(9.4)).toBe('9s');
    expect(roughDuration(9.7)).toBe('10s');
    expect(roughDuration(59.6)).toBe('1m');
    expect(roughDuration(839.9)).toBe('14m');
    expect(roughDuration(840)).toBe('14m');
    expect(roughDuration(3599)).toBe('59m');
    expect(roughDuration(3900)).toBe('1h 05m');
  });
});

describe('writer lock', () => {
  const base = mkdtempSync(join(tmpdir(), 'mergexo-lock-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  const dir = (name: string) => {
    const path = join(base, name);
    mkdirSync(path);
    return path;
  };

  it('reads the lock MergeXO writes (sorted keys, one JSON line)', () => {
    const folder = dir('held');
    const text =
      '{"command": "service", "pid": 4242, "started_at": "2026-03-15T10:00:00.123456Z", ' +
      '"token": "0123456789abcdef0123456789abcdef"}\n';
    writeFileSync(join(folder, 'writer.lock'), text);
    expect(readWriterLock(folder)).toEqual({
      state: 'held',
      path: join(folder, 'writer.lock'),
      pid: 4242,
      command: 'service',
      startedAt: '2026-03-15T10:00:00.123456Z',
      startedMs: Date.parse('2026-03-15T10:00:00.123Z'),
    });
  });

  it('says absent when there is no lock file', () => {
    expect(readWriterLock(dir('absent'))).toEqual({
      state: 'absent',
      path: join(base, 'absent', 'writer.lock'),
    });
  });

  it('calls garbage, empty files, non-objects and bad pids unreadable, with a reason', () => {
    const cases: Array<[string, string]> = [
      ['', 'it is empty'],
      ['   \n', 'it is empty'],
      ['pid=12', 'it is not JSON'],
      ['[1, 2]', 'it is not a JSON object'],
      ['null', 'it is not a JSON object'],
      ['{"pid": "4242"}', 'it names no process id'],
      ['{"pid": 0}', 'it names no process id'],
      ['{"pid": 12.5}', 'it names no process id'],
      ['{"command": "service"}', 'it names no process id'],
    ];
    for (const [text, reason] of cases) {
      expect(parseWriterLock('/x/writer.lock', text), JSON.stringify(text)).toEqual({
        state: 'unreadable',
        path: '/x/writer.lock',
        reason,
      });
    }
    const folder = dir('garbage');
    writeFileSync(join(folder, 'writer.lock'), Buffer.from([0xff, 0x00, 0xfe, 0x7b]));
    expect(readWriterLock(folder).state).toBe('unreadable');
  });

  it('reads only the head of a huge file', () => {
    const folder = dir('huge');
    writeFileSync(join(folder, 'writer.lock'), `{"pid": 5, "command": "${'x'.repeat(100_000)}"}`);
    expect(readWriterLock(folder)).toMatchObject({ state: 'unreadable', reason: 'it is not JSON' });
  });

  it('reports a folder named writer.lock as unreadable rather than throwing', () => {
    const folder = dir('dir-lock');
    mkdirSync(join(folder, 'writer.lock'));
    expect(readWriterLock(folder)).toMatchObject({
      state: 'unreadable',
      reason: expect.stringContaining('EISDIR'),
    });
  });
});

describe('isProcessAlive', () => {
  it('is true for this process and false for an exited child', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const pid = Number(child.stdout.toString());
    expect(pid).toBeGreaterThan(0);
    expect(isProcessAlive(pid)).toBe(false);
  });

  it('rejects ids that are not process ids', () => {
    for (const pid of [0, -1, 1.5, Number.NaN, 2 ** 60]) expect(isProcessAlive(pid)).toBe(false);
  });

  it('counts a process owned by someone else (EPERM) as alive', () => {
    // pid 1 exists everywhere; unprivileged it answers EPERM, as root it answers success.
    expect(isProcessAlive(1)).toBe(true);
  });
});

describe('serviceLiveness', () => {
  const held: WriterLock = {
    state: 'held',
    path: '/base/writer.lock',
    pid: 4242,
    command: 'service',
    startedAt: '2026-03-15T10:00:00.000000Z',
    startedMs: NOW - 2 * 3600_000,
  };
  const absent: WriterLock = { state: 'absent', path: '/base/writer.lock' };
  const garbage: WriterLock = { state: 'unreadable', path: '/base/writer.lock', reason: 'it is not JSON' };
  const input = (over: Partial<ServiceInput>): ServiceInput => ({
    lock: held,
    pidAlive: true,
    lastWriteMs: NOW - 1000,
    nowMs: NOW,
    refreshPeriodMs: 1000,
    activeRunCount: 3,
    ...over,
  });

  it('says running while the lock owner is alive, however long the file has been quiet', () => {
    const verdict = serviceLiveness(input({ lastWriteMs: NOW - 3 * 3600_000 }));
    expect(verdict).toMatchObject({
      running: 'yes',
      reason: 'lock-owner-alive',
      severity: 'none',
      orphanedRuns: 0,
    });
    expect(verdict.message).toBe('MergeXO is running (pid 4242, up 2h 00m).');
  });

  it('says not running, with the issue wording, when the lock owner is gone', () => {
    const verdict = serviceLiveness(input({ pidAlive: false }));
    expect(verdict).toMatchObject({
      running: 'no',
      reason: 'lock-owner-gone',
      severity: 'warning',
      orphanedRuns: 3,
    });
    expect(verdict.message).toBe(
      'MergeXO is not running: process 4242 named in writer.lock has exited; ' +
        '3 runs shown as active were left by a stopped service.',
    );
  });

  it('still warns about a stale lock (a crash) when no runs look active', () => {
    const verdict = serviceLiveness(input({ pidAlive: false, activeRunCount: 0 }));
    expect(verdict).toMatchObject({ running: 'no', severity: 'warning', orphanedRuns: 0 });
    expect(verdict.message).toBe('MergeXO is not running: process 4242 named in writer.lock has exited.');
  });

  it('says not running without a lock file; a warning only when runs look active', () => {
    expect(serviceLiveness(input({ lock: absent, pidAlive: null, activeRunCount: 0 }))).toMatchObject({
      running: 'no',
      reason: 'no-lock',
      severity: 'info',
      message: 'MergeXO is not running (no writer.lock in its folder).',
    });
    const one = serviceLiveness(input({ lock: absent, pidAlive: null, activeRunCount: 1 }));
    expect(one).toMatchObject({ running: 'no', severity: 'warning', orphanedRuns: 1 });
    expect(one.message).toContain('1 run shown as active was left by a stopped service');
  });

  it('judges an unreadable lock by how long the database has been silent', () => {
    const limit = silenceLimitMs(1000);
    expect(limit).toBe(MIN_SILENCE_MS);
    const recent = serviceLiveness(input({ lock: garbage, pidAlive: null, lastWriteMs: NOW - limit }));
    expect(recent).toMatchObject({ running: 'yes', reason: 'recent-writes' });
    expect(recent.message).toBe(
      'MergeXO appears to be running: the database was written 5m ago ' +
        '(writer.lock is unreadable: it is not JSON).',
    );
    const silent = serviceLiveness(input({ lock: garbage, pidAlive: null, lastWriteMs: NOW - limit - 1 }));
    expect(silent).toMatchObject({ running: 'no', reason: 'silent', severity: 'warning', orphanedRuns: 3 });
    expect(silent.message).toBe(
      'MergeXO appears to have stopped: nothing written for 5m ' +
        '(writer.lock is unreadable: it is not JSON); ' +
        '3 runs shown as active were left by a stopped service.',
    );
  });

  it('cannot tell when the lock is unreadable, the file is quiet and nothing claims to be active', () => {
    const verdict = serviceLiveness(
      input({ lock: garbage, pidAlive: null, lastWriteMs: NOW - 3600_000, activeRunCount: 0 }),
    );
    expect(verdict).toMatchObject({ running: 'unknown', reason: 'cannot-tell', severity: 'info' });
    expect(serviceLiveness(input({ lock: garbage, pidAlive: null, lastWriteMs: null })).running).toBe(
      'unknown',
    );
  });

  it('scales the silence limit with slow refresh periods and honours an override', () => {
    expect(silenceLimitMs(10_000)).toBe(600_000);
    const verdict = serviceLiveness(
      input({ lock: garbage, pidAlive: null, lastWriteMs: NOW - 2 * MIN, silenceLimitMs: MIN }),
    );
    expect(verdict.running).toBe('no');
  });
});

describe('probeService', () => {
  const base = mkdtempSync(join(tmpdir(), 'mergexo-probe-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('reads the lock and probes its pid', () => {
    writeFileSync(join(base, 'writer.lock'), JSON.stringify({ pid: process.pid, command: 'service' }));
    const rest = { lastWriteMs: NOW, nowMs: NOW, refreshPeriodMs: 1000, activeRunCount: 2 };
    expect(probeService(base, rest)).toMatchObject({
      running: 'yes',
      lock: { state: 'held', pid: process.pid },
    });
    const probed: number[] = [];
    const gone = probeService(base, rest, (pid) => {
      probed.push(pid);
      return false;
    });
    expect(probed).toEqual([process.pid]);
    expect(gone).toMatchObject({ running: 'no', orphanedRuns: 2 });
  });
});
