// The data layer: everything that reads and interprets a MergeXO state.db. No `vscode` import
// (lint enforces it), so the CLI and plain-Node tests use exactly what the extension uses.
export * from './changes';
export * from './database';
export * from './discovery';
export * from './format';
export * from './incremental';
export * from './liveness';
export * from './meta';
export * from './pythonJson';
export * from './queries';
export * from './refreshLoop';
export * from './schema';
export * from './sqlite';
export * from './text';
export * from './timestamps';
export * from './types';
