// What a VSIX would hold, from `vsce ls` with the ignore file scripts/package.mjs packages with: the
// bundles, media, docs and better-sqlite3's loader with exactly the target's prebuilt binary; no
// sources, tests, fixtures, source maps or dev dependencies. Needs the build (`npm test` builds first).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ES module without types
import { TARGET_BINARIES, ignoreFileFor } from '../scripts/package.mjs';

const ROOT = path.resolve(__dirname, '..');
const VSCE = path.join(ROOT, 'node_modules', '.bin', 'vsce');
const binaries = TARGET_BINARIES as Record<string, string>;
const PREBUILDS = 'node_modules/better-sqlite3/prebuilds/';

async function vsceList(target: string | undefined): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    VSCE,
    ['ls', '--no-yarn', '--ignoreFile', ignoreFileFor(target)],
    {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

describe('VSIX contents (vsce ls)', () => {
  let linux: string[];
  let universal: string[];

  beforeAll(async () => {
    expect(existsSync(path.join(ROOT, 'dist', 'extension.js')), 'run the build first').toBe(true);
    [linux, universal] = await Promise.all([vsceList('linux-x64'), vsceList(undefined)]);
  }, 120_000);

  it('ships the extension bundle, the webview bundles, the manifest and the marketplace files', () => {
    for (const file of [
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'LICENSE',
      'dist/extension.js',
      'dist/webview/metrics.js',
      'dist/webview/metrics.css',
      'dist/webview/timeline.js',
      'dist/webview/timeline.css',
      'media/mergexo.svg',
    ]) {
      expect(linux, file).toContain(file);
    }
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(manifest.icon).toBe('media/icon.png');
    expect(linux).toContain(manifest.icon);
    expect(linux).toContain(manifest.main.replace(/^\.\//, ''));
  });

  it('keeps sources, tests, fixtures, maps and tooling out', () => {
    for (const list of [linux, universal]) {
      const offending = list.filter(
        (file) =>
          /^(src|test|tools|bench|scripts|webview|docs|out|\.cache|\.ci|test-results)\//.test(file) ||
          /\.(map|ts|tsx|db|db-wal|db-shm|vsix)$/.test(file) ||
          /(^|\/)(tsconfig\.json|esbuild\.mjs|eslint\.config\.mjs|vitest\.config\.mts)$/.test(file),
      );
      expect(offending).toEqual([]);
    }
  });

  it('ships only better-sqlite3 among the node_modules, with its loader and no build sources', () => {
    const modules = new Set(
      linux.filter((file) => file.startsWith('node_modules/')).map((file) => file.split('/')[1]),
    );
    expect([...modules]).toEqual(['better-sqlite3']);
    expect(linux).toContain('node_modules/better-sqlite3/package.json');
    expect(linux).toContain('node_modules/better-sqlite3/lib/index.js');
    const extras = linux.filter(
      (file) =>
        file.startsWith('node_modules/better-sqlite3/') &&
        !/^node_modules\/better-sqlite3\/(package\.json|LICENSE|lib\/.+\.js|prebuilds\/[\w-]+\.node)$/.test(
          file,
        ),
    );
    expect(extras).toEqual([]);
  });

  it('a target VSIX carries exactly its own prebuilt binary', () => {
    expect(linux.filter((file) => file.startsWith(PREBUILDS))).toEqual([
      `${PREBUILDS}${binaries['linux-x64']}`,
    ]);
  });

  it('the universal VSIX carries the binary of every target', () => {
    const shipped = universal.filter((file) => file.startsWith(PREBUILDS)).sort();
    expect(shipped).toEqual(
      Object.values(binaries)
        .map((file) => `${PREBUILDS}${file}`)
        .sort(),
    );
  });
});
