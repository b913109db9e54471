// GitHub links are built from validated names and numbers; worktrees are found by checked-out branch.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitHubUrl, isSafeRepo } from '../../../src/host/github';
import { findWorktree, scanWorktrees } from '../../../src/host/worktree';

describe('GitHub links', () => {
  const target = { repo: 'acme/widgets', issue: 101, pr: 1101, branch: 'agent/design/101 x', sha: 'abc1234' };

  it('builds issue, PR, branch and commit URLs', () => {
    expect(gitHubUrl(target, 'issue')).toBe('https://github.com/acme/widgets/issues/101');
    expect(gitHubUrl(target, 'pr')).toBe('https://github.com/acme/widgets/pull/1101');
    expect(gitHubUrl({ ...target, branch: 'agent/design/101-oauth' }, 'branch')).toBe(
      'https://github.com/acme/widgets/tree/agent/design/101-oauth',
    );
    expect(gitHubUrl({ ...target, branch: 'feat/ü#1' }, 'branch')).toBe(
      'https://github.com/acme/widgets/tree/feat/%C3%BC%231',
    );
    expect(gitHubUrl(target, 'commit')).toBe('https://github.com/acme/widgets/commit/abc1234');
  });

  it('refuses anything that is not a plain owner/name, number, branch or sha', () => {
    for (const repo of ['acme', 'a/b/c', 'evil.com/x?y', 'javascript:alert(1)//x', '../x', 'a/..', '']) {
      expect(isSafeRepo(repo), repo).toBe(false);
      expect(gitHubUrl({ ...target, repo }, 'issue'), repo).toBeUndefined();
    }
    expect(gitHubUrl({ ...target, issue: -1 }, 'issue')).toBeUndefined();
    expect(gitHubUrl({ ...target, issue: 1.5 }, 'issue')).toBeUndefined();
    expect(gitHubUrl({ repo: 'a/b' }, 'pr')).toBeUndefined();
    expect(gitHubUrl({ ...target, branch: '../../settings' }, 'branch')).toBeUndefined();
    expect(gitHubUrl({ ...target, branch: '-' }, 'branch')).toBeUndefined();
    expect(gitHubUrl({ ...target, sha: '<img src=x>' }, 'commit')).toBeUndefined();
  });
});

describe('run checkouts', () => {
  const base = mkdtempSync(join(tmpdir(), 'mergexo-worktrees-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  const slot = (repo: string, name: string, head: string, linked = false) => {
    const folder = join(base, 'checkouts', ...repo.split('/'), name);
    if (linked) {
      const gitDir = join(base, 'gitdirs', name);
      mkdirSync(gitDir, { recursive: true });
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(gitDir, 'HEAD'), head);
      writeFileSync(join(folder, '.git'), `gitdir: ${gitDir}\n`);
    } else {
      mkdirSync(join(folder, '.git'), { recursive: true });
      writeFileSync(join(folder, '.git', 'HEAD'), head);
    }
    return folder;
  };

  it('finds the slot that has the run branch checked out', () => {
    const one = slot('acme/widgets', 'worker-00', 'ref: refs/heads/main\n');
    const two = slot('acme/widgets', 'worker-01', 'ref: refs/heads/agent/design/101-oauth-login\n');
    slot('acme/widgets', 'worker-02', '0123456789abcdef0123456789abcdef01234567\n');
    const linked = slot('octo/docs', 'worker-00', 'ref: refs/heads/agent/design/303-versioning\n', true);
    const index = scanWorktrees(base, ['acme/widgets', 'octo/docs', '../escape', 'none/here']);
    expect(findWorktree(index, 'acme/widgets', 'agent/design/101-oauth-login')).toBe(two);
    expect(findWorktree(index, 'acme/widgets', 'main')).toBe(one);
    expect(findWorktree(index, 'octo/docs', 'agent/design/303-versioning')).toBe(linked);
    expect(findWorktree(index, 'acme/widgets', 'agent/other')).toBeUndefined();
    expect(findWorktree(index, 'acme/widgets', null)).toBeUndefined();
    expect([...index.keys()].sort()).toEqual(['acme/widgets', 'octo/docs']);
  });
});
