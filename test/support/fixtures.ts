// Access to the MergeXO fixture databases and the values MergeXO's own dashboard returned for them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURE_DIR = join(__dirname, '..', 'fixtures');
export const EXPECTED_DIR = join(FIXTURE_DIR, 'expected');

export interface ExpectedFile {
  name: string;
  text: string;
  data: {
    meta: {
      db: string;
      repo_filter: string | null;
      now: string;
      history_limit: number;
      terminal_limit: number;
    };
    [section: string]: unknown;
  };
}

export function expectedFiles(): ExpectedFile[] {
  return readdirSync(EXPECTED_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const text = readFileSync(join(EXPECTED_DIR, name), 'utf8');
      return { name, text, data: JSON.parse(text) };
    });
}

export function fixturePath(db: string): string {
  return join(FIXTURE_DIR, db);
}

/** MergeXO reports a query that raised on an old file as `{"error": {...}}`. */
export function isErrorSection(value: unknown): value is { error: { type: string; message: string } } {
  return value !== null && typeof value === 'object' && 'error' in value;
}

/** Deep equality where floats may differ by a relative 1e-9 (the fixtures' stated tolerance). */
export function assertClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const scale = Math.max(Math.abs(expected), Math.abs(actual), 1e-300);
    if (Math.abs(actual - expected) / scale > 1e-9 && actual !== expected) {
      throw new Error(`${path}: expected ${expected}, got ${actual}`);
    }
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) throw new Error(`${path}: expected an array, got ${JSON.stringify(actual)}`);
    if (actual.length !== expected.length) {
      throw new Error(`${path}: expected ${expected.length} items, got ${actual.length}`);
    }
    expected.forEach((item, index) => assertClose(actual[index], item, `${path}[${index}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') {
      throw new Error(`${path}: expected an object, got ${JSON.stringify(actual)}`);
    }
    const expectedKeys = Object.keys(expected);
    const actualKeys = Object.keys(actual).filter(
      (key) => (actual as Record<string, unknown>)[key] !== undefined,
    );
    if (expectedKeys.join(',') !== actualKeys.join(',')) {
      throw new Error(`${path}: expected keys ${expectedKeys.join(',')}, got ${actualKeys.join(',')}`);
    }
    for (const key of expectedKeys) {
      assertClose(
        (actual as Record<string, unknown>)[key],
        (expected as Record<string, unknown>)[key],
        `${path}.${key}`,
      );
    }
    return;
  }
  if (actual !== expected)
    throw new Error(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
