// What the "Show … History" commands do with their argument: a tree element, a bare target, or
// nothing (then the user picks).
import { describe, expect, it } from 'vitest';
import { subjectFromArgument, subjectKey, subjectTitle } from '../../src/panels/targets';

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
