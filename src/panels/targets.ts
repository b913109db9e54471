// What a "Show … History" command was invoked on. From a tree item's context menu VS Code passes
// the tree element (which carries `target: WorkTarget`); other callers may pass the target itself.
// Anything else, including the command palette's `undefined`, means "ask with a quick pick".
import type { TimelineKind, TimelineSubject } from '../data/timeline';
import type { WorkTarget } from '../host/session';
import { isItemNumber, isRecord, isRepoName } from '../../webview/shared/protocol';

function asWorkTarget(value: unknown): WorkTarget | undefined {
  if (!isRecord(value)) return undefined;
  const candidate = isRecord(value.target) ? value.target : value;
  if (!isRepoName(candidate.repo)) return undefined;
  return {
    repo: candidate.repo,
    issue: isItemNumber(candidate.issue) ? candidate.issue : undefined,
    pr: isItemNumber(candidate.pr) ? candidate.pr : undefined,
  };
}

/** The timeline an argument points at, or `undefined` when the user has to pick one. */
export function subjectFromArgument(argument: unknown, kind: TimelineKind): TimelineSubject | undefined {
  const target = asWorkTarget(argument);
  const number = kind === 'issue' ? target?.issue : target?.pr;
  return target && number !== undefined ? { kind, repo: target.repo, number } : undefined;
}

export function subjectKey(subject: TimelineSubject): string {
  return `${subject.kind}:${subject.repo}#${subject.number}`;
}

export function subjectTitle(subject: TimelineSubject): string {
  return `${subject.kind === 'issue' ? 'Issue' : 'PR'} #${subject.number} · ${subject.repo}`;
}
