// Opt-in notifications come from comparing two snapshots of the database, never from a tree
// provider. The first snapshot is the baseline: nothing that was already true when the window
// opened is announced.
import type { WorkTarget } from '../host/session';

export type NotifyKind = 'runFailed' | 'prBlocked' | 'agentStalled';

export interface NotifyItem {
  key: string;
  target: WorkTarget;
  /** A short, safe detail such as the failure class. */
  detail?: string;
}

export type NotifySnapshot = Record<NotifyKind, NotifyItem[]>;

export interface NotifyEvent extends NotifyItem {
  kind: NotifyKind;
  message: string;
}

const SAFE_REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** Notification texts may render Markdown links, so they are built from checked pieces only. */
export function safeWord(text: string | undefined): string {
  return (text ?? '').replace(/[^A-Za-z0-9_ -]/g, '').slice(0, 60);
}

function where(target: WorkTarget): string {
  const repo = SAFE_REPO.test(target.repo) ? target.repo : 'a repository';
  if (target.pr !== undefined && target.issue === undefined) return `${repo} PR #${target.pr}`;
  return target.pr !== undefined ? `${repo} PR #${target.pr}` : `${repo} issue #${target.issue ?? '?'}`;
}

export function notifyMessage(kind: NotifyKind, item: NotifyItem): string {
  const word = safeWord(item.detail);
  const detail = word ? ` (${word})` : '';
  const issue = where({ ...item.target, pr: undefined });
  switch (kind) {
    case 'runFailed':
      return `MergeXO: a run failed on ${issue}${detail}.`;
    case 'prBlocked':
      return `MergeXO: ${where(item.target)} is blocked${detail}.`;
    case 'agentStalled':
      return `MergeXO: the agent on ${issue} has stalled${detail}.`;
  }
}

export function diffNotifications(previous: NotifySnapshot | undefined, next: NotifySnapshot): NotifyEvent[] {
  if (!previous) return [];
  const events: NotifyEvent[] = [];
  for (const kind of ['runFailed', 'prBlocked', 'agentStalled'] as const) {
    const seen = new Set(previous[kind].map((item) => item.key));
    for (const item of next[kind]) {
      if (!seen.has(item.key)) events.push({ ...item, kind, message: notifyMessage(kind, item) });
    }
  }
  return events;
}
