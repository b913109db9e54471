// The commands the panels contribute (package.json `contributes.commands`; a test keeps both in step).
export const PANEL_COMMANDS = {
  showMetrics: 'mergexo.showMetrics',
  showIssueHistory: 'mergexo.showIssueHistory',
  showPrHistory: 'mergexo.showPrHistory',
} as const;
