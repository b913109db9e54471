// GitHub links built from the repository name and numbers we read, never from URLs stored in the
// database: a hostile row cannot send the user anywhere but github.com.
import type { WorkTarget } from './session';

const REPO_PATTERN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const SHA_PATTERN = /^[0-9a-fA-F]{7,64}$/;

export function isSafeRepo(repo: string | undefined): repo is string {
  return (
    typeof repo === 'string' && REPO_PATTERN.test(repo) && !repo.split('/').some((part) => /^\.+$/.test(part))
  );
}

function base(target: WorkTarget): string | undefined {
  return isSafeRepo(target.repo) ? `https://github.com/${target.repo}` : undefined;
}

function positive(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

export type GitHubLinkKind = 'issue' | 'pr' | 'branch' | 'commit' | 'repo';

/** The URL for one kind of link, or `undefined` when the target lacks it or fails validation. */
export function gitHubUrl(target: WorkTarget, kind: GitHubLinkKind): string | undefined {
  const root = base(target);
  if (!root) return undefined;
  switch (kind) {
    case 'repo':
      return root;
    case 'issue':
      return positive(target.issue) ? `${root}/issues/${target.issue}` : undefined;
    case 'pr':
      return positive(target.pr) ? `${root}/pull/${target.pr}` : undefined;
    case 'branch': {
      const branch = target.branch;
      if (!branch || branch === '-' || /[\s\\]|\.\./.test(branch)) return undefined;
      return `${root}/tree/${branch.split('/').map(encodeURIComponent).join('/')}`;
    }
    case 'commit':
      return target.sha && SHA_PATTERN.test(target.sha) ? `${root}/commit/${target.sha}` : undefined;
  }
}
