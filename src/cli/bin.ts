// Entry point of the `mergexo-obs` executable. better-sqlite3 13 crashes the process on Node < 22
// (and node:sqlite does not exist there), so refuse early with a clear reason.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`mergexo-obs: needs Node 22 or newer (this is Node ${process.versions.node}).\n`);
  process.exit(1);
}

// node:sqlite (the fallback driver) announces itself as experimental on stderr at every run; that
// line would pollute output that scripts parse, and the driver in use is not news to a CLI user.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
  if (
    (type === 'ExperimentalWarning' || (warning as Error).name === 'ExperimentalWarning') &&
    /SQLite/i.test(text)
  ) {
    return;
  }
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

// Loaded after the version check so the native driver is never touched on an old Node.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runCli } = require('./main') as typeof import('./main');
process.exitCode = runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
});
