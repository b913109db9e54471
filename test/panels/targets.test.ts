// What the "Show … History" commands do with their argument: a tree element, a bare target, or
// nothing (then the user picks).
import { describe, expect, it } from 'vitest';
import {
  subjectEntries,
  subjectFromArgument,
  subjectKey,
  subjectTitle,
  typedNumber,
  typedRepository,
} from '../../src/panels/targets';

describe('subjectFromArgument', () => {
  it('reads the target of a tree element', () => {
    const element = { id: 'x', target: { repo: 'acme/widgets', issue: 104, pr: 1104, branch: 'b' } };
    expect(subjectFromArgument(element, 'issue')).toEqual({
      kind: 'issue',
      repo: 'acme/widgets',
      number: 104,
    });
    expect(subjectFromArgument(element, 'pr')).toEqual({ kind: 'pr', repo: 'acme/widgets', number: 1104 });
  });

  it('reads a bare target', () => {
    expect(subjectFromArgument({ repo: 'octo/docs', issue: 303 }, 'issue')).toEqual({
      kind: 'issue',
      repo: 'octo/docs',
      number: 303,
    });
  });

  it('asks (undefined) when the argument lacks what the command needs or is not valid', () => {
    expect(subjectFromArgument(undefined, 'issue')).toBeUndefined();
    expect(subjectFromArgument({ target: { repo: 'octo/docs', issue: 303 } }, 'pr')).toBeUndefined();
    expect(subjectFromArgument({ target: { repo: 'not a repo', issue: 1 } }, 'issue')).toBeUndefined();
    expect(subjectFromArgument({ target: { repo: 'a/b', issue: -4 } }, 'issue')).toBeUndefined();
    expect(subjectFromArgument('acme/widgets#1', 'issue')).toBeUndefined();
  });

  it('keys and titles keep repositories apart', () => {
    const a = { kind: 'issue' as const, repo: 'acme/widgets', number: 1 };
    const b = { kind: 'issue' as const, repo: 'acme/gadgets', number: 1 };
    expect(subjectKey(a)).not.toBe(subjectKey(b));
    expect(subjectKey(a)).not.toBe(subjectKey({ ...a, kind: 'pr' }));
    expect(subjectTitle({ kind: 'pr', repo: 'acme/widgets', number: 1104 })).toBe('PR #1104 · acme/widgets');
  });
});

describe('the history picker', () => {
  const refs = [
    { repo: 'acme/widgets', number: 101 },
    { repo: 'octo/docs', number: 303 },
  ];
  const repos = ['acme/widgets', 'octo/docs'];

  it('reads a typed number, with or without #', () => {
    expect(typedNumber('1234')).toBe(1234);
    expect(typedNumber(' #1234 ')).toBe(1234);
    expect(typedNumber('# 7')).toBe(7);
    for (const text of ['', '#', '0', '-3', '12a', '1.5', '1e3', '99999999999999999']) {
      expect(typedNumber(text), text).toBeUndefined();
    }
  });

  it('puts a typed number that is not in the list first, so Enter opens it', () => {
    const entries = subjectEntries('issue', refs, '1234', repos, 'acme/widgets');
    expect(entries[0]).toMatchObject({
      label: '#1234',
      description: 'acme/widgets',
      alwaysShow: true,
      typed: { number: 1234, repo: 'acme/widgets' },
    });
    expect(entries.slice(1).map((entry) => entry.ref)).toEqual(refs);
  });

  it('says the repository comes next when there are several', () => {
    const [typed] = subjectEntries('pr', refs, '#1234', repos, undefined);
    expect(typed).toMatchObject({ description: 'choose the repository next', typed: { number: 1234 } });
    expect(typed!.typed!.repo).toBeUndefined();
    expect(typed!.detail).toContain('pull request #1234');
  });

  it('adds nothing for a number already listed in its repository, or for text that is not a number', () => {
    expect(subjectEntries('issue', refs, '101', repos, 'acme/widgets')).toHaveLength(2);
    expect(subjectEntries('issue', refs, 'widgets', repos, 'acme/widgets')).toHaveLength(2);
    expect(subjectEntries('issue', [], '5', repos, 'acme/widgets').map((entry) => entry.label)).toEqual([
      '#5',
    ]);
    // #101 is listed for acme/widgets only: octo/docs may still have one.
    expect(subjectEntries('issue', refs, '101', repos, 'octo/docs')[0]).toMatchObject({
      typed: { number: 101, repo: 'octo/docs' },
    });
    const both = [...refs, { repo: 'octo/docs', number: 101 }];
    expect(subjectEntries('issue', both, '101', repos, undefined)).toHaveLength(3);
  });

  it('puts what the database lists for a typed number first, and offers only the other repositories', () => {
    // #101 is listed for acme/widgets: Enter must open that, not an empty timeline elsewhere.
    const entries = subjectEntries('issue', refs, '101', repos, undefined);
    expect(entries[0]!.ref).toEqual({ repo: 'acme/widgets', number: 101 });
    const typed = entries.find((entry) => entry.typed);
    expect(typed!.typed!.repos).not.toContain('acme/widgets');
    expect(typed!.description).toMatch(/another repository|octo\/docs/);
    expect(entries.indexOf(typed!)).toBe(1);
  });

  it('knows the repository of a typed number from the filter or a single repository, else asks', () => {
    expect(typedRepository('acme/widgets', ['acme/widgets', 'octo/docs'])).toBe('acme/widgets');
    expect(typedRepository(null, ['octo/docs'])).toBe('octo/docs');
    expect(typedRepository(null, ['acme/widgets', 'octo/docs'])).toBeUndefined();
    expect(typedRepository(null, [])).toBeUndefined();
  });
});
