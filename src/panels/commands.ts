// The commands the panels contribute (package.json `contributes.commands`; a test keeps both in step).
// The history commands come in two forms with the same handler: the palette's asks which issue or
// PR (its title ends in "…"), the tree menus' knows it from the item (no "…", as no prompt follows).
export const PANEL_COMMANDS = {
  showMetrics: 'mergexo.showMetrics',
  showIssueHistory: 'mergexo.showIssueHistory',
  showPrHistory: 'mergexo.showPrHistory',
  showIssueHistoryOfItem: 'mergexo.showIssueHistoryOfItem',
  showPrHistoryOfItem: 'mergexo.showPrHistoryOfItem',
} as const;
