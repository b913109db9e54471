// What a given state.db actually has. MergeXO adds tables and columns at start-up as it evolves,
// so a file written by an older MergeXO lacks some; each figure asks for what it needs and gets a
// named gap instead of an SQL error.
import type { Connection } from './sqlite';
import type { SchemaGap } from './types';

export class SchemaInfo {
  private constructor(private readonly tables: Map<string, Set<string>>) {}

  static read(connection: Connection): SchemaInfo {
    const tables = new Map<string, Set<string>>();
    const names = connection
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all();
    for (const { name } of names) {
      if (typeof name !== 'string') continue;
      const columns = connection.prepare('SELECT name FROM pragma_table_info(?)').all(name);
      tables.set(name, new Set(columns.map((column) => String(column.name))));
    }
    return new SchemaInfo(tables);
  }

  hasTable(table: string): boolean {
    return this.tables.has(table);
  }

  hasColumn(table: string, column: string): boolean {
    return this.tables.get(table)?.has(column) ?? false;
  }

  tableNames(): string[] {
    return [...this.tables.keys()].sort();
  }

  /** The first missing requirement, or `undefined` when everything is present. */
  gap(requirements: Requirement[]): SchemaGap | undefined {
    for (const requirement of requirements) {
      const [table, column] = requirement.split('.') as [string, string | undefined];
      if (!this.hasTable(table)) return missingTable(table);
      if (column && !this.hasColumn(table, column)) return missingColumn(table, column);
    }
    return undefined;
  }

  /** All missing requirements (used for optional inputs that only refine a figure). */
  gaps(requirements: Requirement[]): SchemaGap[] {
    return requirements.flatMap((requirement) => {
      const gap = this.gap([requirement]);
      return gap ? [gap] : [];
    });
  }

  /** True when the file looks like a MergeXO database at all. */
  isMergexo(): boolean {
    return this.hasTable('issue_runs') || this.hasTable('agent_run_history');
  }

  /** The layout from before MergeXO served several repositories; MergeXO refuses it at start-up. */
  isSingleRepository(): boolean {
    return this.hasTable('issue_runs') && !this.hasColumn('issue_runs', 'repo_full_name');
  }
}

/** `table` or `table.column`. */
export type Requirement = string;

/** What a table holds, worded to follow "(…" without a parenthesis of its own. */
const TABLE_PURPOSE: Record<string, string> = {
  agent_run_history: 'run history, added in a later MergeXO',
  pr_status_history: 'PR status history, added in a later MergeXO',
  issue_takeover_state: 'human takeovers',
  github_comment_poll_cursors: 'comment poll cursors, so "last activity" leaves out comments',
  action_tokens: 'action tokens, so "last activity" leaves out observed GitHub actions',
  roadmap_state: 'roadmaps',
  roadmap_nodes: 'roadmap nodes',
  operator_commands: 'operator commands',
  runtime_operations: 'runtime operations',
};

export function missingTable(table: string): SchemaGap {
  const purpose = TABLE_PURPOSE[table];
  return {
    kind: 'missing-table',
    table,
    message:
      `This MergeXO database has no ${table} table` +
      (purpose ? ` (${purpose})` : '') +
      '; upgrade MergeXO and restart it to add it.',
  };
}

export function missingColumn(table: string, column: string): SchemaGap {
  return {
    kind: 'missing-column',
    table,
    column,
    message: `This MergeXO database has no ${table}.${column} column; upgrade MergeXO and restart it to add it.`,
  };
}
