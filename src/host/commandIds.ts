// Every command this part of the extension registers. Registration is typed against this table
// (each id must get a handler) and a test checks it against package.json's contributions.

export const Commands = {
  refresh: 'mergexo.refresh',
  openDatabase: 'mergexo.openDatabase',
  selectDatabase: 'mergexo.selectDatabase',
  selectRepository: 'mergexo.selectRepository',
  selectMetricsWindow: 'mergexo.selectMetricsWindow',
  showLog: 'mergexo.showLog',
  openSettings: 'mergexo.openSettings',
  loadMoreOutcomes: 'mergexo.loadMoreOutcomes',
  openIssueOnGitHub: 'mergexo.openIssueOnGitHub',
  openPrOnGitHub: 'mergexo.openPrOnGitHub',
  openBranchOnGitHub: 'mergexo.openBranchOnGitHub',
  openCommitOnGitHub: 'mergexo.openCommitOnGitHub',
  copyBranch: 'mergexo.copyBranch',
  copyRunId: 'mergexo.copyRunId',
  revealWorktree: 'mergexo.revealWorktree',
} as const;

export type CommandKey = keyof typeof Commands;
export type CommandId = (typeof Commands)[CommandKey];

/** View ids, as contributed in package.json. */
export const Views = {
  container: 'mergexo',
  agents: 'mergexo.agents',
  tracked: 'mergexo.tracked',
  outcomes: 'mergexo.outcomes',
  roadmaps: 'mergexo.roadmaps',
} as const;

/** Context keys set with `setContext`, read by `when` clauses in package.json. */
export const ContextKeys = {
  /** `none` | `error` | `open` */
  state: 'mergexo.state',
  /**
   * When `state` is `error`: `missing` | `not-a-file` | `not-a-database` | `cannot-open` |
   * `no-driver` | `read-failed`.
   */
  errorReason: 'mergexo.errorReason',
  /** More than one MergeXO database was found (multi-root): "Select Database…" is useful. */
  multipleDatabases: 'mergexo.multipleDatabases',
  hasRoadmaps: 'mergexo.hasRoadmaps',
  /** The service is judged not running while runs claim to be active. */
  serviceDown: 'mergexo.serviceDown',
  /** A repository filter is set. */
  filtered: 'mergexo.filtered',
} as const;
