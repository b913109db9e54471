// Where a run's checkout lives. MergeXO keeps one clone per worker slot under
// `<base_dir>/checkouts/<owner>/<name>/worker-NN` and switches it to the run's branch; the database
// does not record the slot, so we find it by the branch each checkout has checked out.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { isSafeRepo } from './github';

/** `repo` → `branch` → checkout folder. */
export type WorktreeIndex = Map<string, Map<string, string>>;

function currentBranch(checkout: string): string | undefined {
  let gitDir = join(checkout, '.git');
  try {
    if (statSync(gitDir).isFile()) {
      // A linked worktree: `.git` is a file `gitdir: <path>`.
      const pointer = /^gitdir:\s*(.+)$/m.exec(readFileSync(gitDir, 'utf8'))?.[1]?.trim();
      if (!pointer) return undefined;
      gitDir = isAbsolute(pointer) ? pointer : resolve(checkout, pointer);
    }
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    return /^ref:\s*refs\/heads\/(.+)$/.exec(head)?.[1];
  } catch {
    return undefined;
  }
}

function subdirectories(folder: string): string[] {
  try {
    return readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

/** Scans the checkout slots of the given repositories (a few stat and read calls per slot). */
export function scanWorktrees(baseDir: string, repos: Iterable<string>): WorktreeIndex {
  const index: WorktreeIndex = new Map();
  for (const repo of new Set(repos)) {
    if (!isSafeRepo(repo)) continue;
    const root = join(baseDir, 'checkouts', ...repo.split('/'));
    for (const slot of subdirectories(root)) {
      const folder = join(root, slot);
      const branch = currentBranch(folder);
      if (!branch) continue;
      let branches = index.get(repo);
      if (!branches) index.set(repo, (branches = new Map()));
      if (!branches.has(branch)) branches.set(branch, folder);
    }
  }
  return index;
}

export function findWorktree(index: WorktreeIndex, repo: string, branch: string | null | undefined) {
  return branch ? index.get(repo)?.get(branch) : undefined;
}
