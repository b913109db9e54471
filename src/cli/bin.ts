// Entry point of the `mergexo-obs` executable. better-sqlite3 13 crashes the process on Node < 22
// (and node:sqlite does not exist there), so refuse early with a clear reason.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`mergexo-obs: needs Node 22 or newer (this is Node ${process.versions.node}).\n`);
  process.exit(1);
}

// Loaded after the version check so the native driver is never touched on an old Node.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runCli } = require('./main') as typeof import('./main');
process.exitCode = runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
});
