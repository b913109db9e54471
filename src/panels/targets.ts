// What a "Show … History" command was invoked on. From a tree item's context menu VS Code passes
// the tree element (which carries `target: WorkTarget`); other callers may pass the target itself.
// Anything else, including the command palette's `undefined`, means "ask with a quick pick", whose
// entries are built here too.
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

// ---- the palette's history picker ------------------------------------------------------------------

/** `1234`, `#1234`, ` # 1234 `: an issue or PR number typed into the picker; `undefined` for anything else. */
export function typedNumber(value: string): number | undefined {
  const match = /^\s*#?\s*(\d{1,15})\s*$/.exec(value);
  const number = match ? Number(match[1]) : undefined;
  return isItemNumber(number) ? number : undefined;
}

/** One entry of the picker: a number the database has history for, or the number the user typed. */
export interface SubjectEntry {
  label: string;
  description?: string;
  detail?: string;
  /** Shown whatever the filter text (the typed number's own entry). */
  alwaysShow?: boolean;
  /** A known number in a repository. */
  ref?: { repo: string; number: number };
  /** A typed number, its repository when there is only one to choose from, and those to choose from. */
  typed?: { number: number; repo?: string; repos: readonly string[] };
}

/**
 * The picker's entries for the text typed so far: every known number and, when the text is a number
 * the list lacks for some repository, an entry for it, so Enter opens it (a timeline with no history
 * yet still shows the issue's links, and older history may have been pruned). That entry comes first
 * when the number is listed nowhere; after the listed ones otherwise, for the other repositories
 * only. `repositories` are those a typed number may belong to; `typedRepo` the one it belongs to when
 * there is only one (the filter, or a database with one repository).
 */
export function subjectEntries(
  kind: TimelineKind,
  refs: readonly { repo: string; number: number }[],
  typed: string,
  repositories: readonly string[],
  typedRepo: string | undefined,
): SubjectEntry[] {
  const known: SubjectEntry[] = refs.map((ref) => ({ label: `#${ref.number}`, description: ref.repo, ref }));
  const number = typedNumber(typed);
  if (number === undefined) return known;
  const listedIn = new Set(refs.filter((ref) => ref.number === number).map((ref) => ref.repo));
  const candidates = (typedRepo === undefined ? repositories : [typedRepo]).filter(
    (repo) => !listedIn.has(repo),
  );
  if (candidates.length === 0) return known;
  const what = kind === 'issue' ? 'issue' : 'pull request';
  const only = candidates.length === 1 ? candidates[0] : undefined;
  // With the repository known (the filter, or the only one) there is nothing else to prefer.
  const elsewhere = typedRepo === undefined && listedIn.size > 0;
  const entry: SubjectEntry = {
    label: `#${number}`,
    description: only ?? (elsewhere ? 'in another repository: choose it next' : 'choose the repository next'),
    detail: elsewhere
      ? `Show ${what} #${number} of a repository where the database lists nothing for it yet`
      : `Show the history of ${what} #${number}; the database lists nothing for it yet`,
    alwaysShow: true,
    typed: only === undefined ? { number, repos: candidates } : { number, repo: only, repos: candidates },
  };
  if (!elsewhere) return [entry, ...known];
  // What the database does list for that number comes first: Enter opens it.
  const matching = known.filter((candidate) => candidate.ref?.number === number);
  return [...matching, entry, ...known.filter((candidate) => candidate.ref?.number !== number)];
}

/** The repository a typed number belongs to without asking: the filter, or the only one there is. */
export function typedRepository(filter: string | null, repositories: readonly string[]): string | undefined {
  if (filter !== null) return filter;
  return repositories.length === 1 ? repositories[0] : undefined;
}
