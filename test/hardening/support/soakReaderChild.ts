// Entry point of the soak's second reader, bundled by the test and run in a child process (its SQLite
// library must not share the test process with the other driver's).
import { soakRead, type SoakReaderOptions } from './soakReader';

process.on('message', (message: { cmd: string } & SoakReaderOptions) => {
  if (message.cmd !== 'read') return;
  soakRead(message).then(
    (stats) => process.send?.({ type: 'stats', stats }),
    (error: unknown) => process.send?.({ type: 'error', message: String(error) }),
  );
});
