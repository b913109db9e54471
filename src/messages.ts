// Every sentence the extension shows to people, in one place. Wording: "Unable to X. Reason." with
// an action where one helps. Database text never goes into these unescaped where Markdown renders.

export const Messages = {
  noDatabase:
    'No MergeXO database found: no mergexo.stateDbPath setting, no mergexo.toml in the workspace, ' +
    'and no state.db in ~/.local/share/mergexo.',
  noDatabaseWithProblems: (problems: string[]) => `No MergeXO database found. ${problems.join(' ')}`,
  untrustedPathIgnored:
    'The mergexo.stateDbPath setting is ignored in an untrusted workspace; trust the workspace to use it.',
  databaseError: (message: string) => `Unable to read the MergeXO database. ${message}`,
  databaseLocked: (time: string) =>
    `Another process holds a lock on the MergeXO database; showing the data read before ${time} until it is released.`,
  readFailed: (message: string) => `Unable to read from the MergeXO database. ${message}`,
  figureUnavailable: (message: string) => `This view needs data this database does not have. ${message}`,
  noAgents: 'No agent is running right now.',
  noTracked: 'Nothing is tracked or blocked right now.',
  noOutcomes: 'No merged, closed or failed work yet.',
  pickDatabaseTitle: 'Open MergeXO Database File',
  pickDatabaseFilter: 'SQLite database',
  selectDatabasePlaceholder: 'Choose which MergeXO database this workspace shows',
  selectRepositoryPlaceholder: 'Show all repositories, or only one',
  allRepositories: 'All repositories',
  selectWindowPlaceholder: 'Metrics window for failures and runtimes',
  noWorktree: 'Unable to reveal the run’s checkout: no MergeXO checkout has this branch checked out now.',
  noGitHubLink: (what: string) => `Unable to open the ${what} on GitHub: the item has no valid ${what}.`,
  copied: (what: string) => `Copied the ${what} to the clipboard.`,
  notRunningTitle: 'MergeXO is not running',
  dontShowAgain: 'Don’t Show Again',
  showHistory: 'Show History',
  openOnGitHub: 'Open on GitHub',
} as const;
