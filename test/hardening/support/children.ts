// A child process driven over IPC: send commands, await replies by type, kill it when the test ends.
import { fork, type ChildProcess } from 'node:child_process';

export interface Reply {
  type: string;
  [key: string]: unknown;
}

export class Child {
  readonly process: ChildProcess;
  readonly replies: Reply[] = [];
  private waiters: Array<{ type: string; resolve: (reply: Reply) => void; reject: (error: Error) => void }> =
    [];

  constructor(modulePath: string) {
    this.process = fork(modulePath, [], {
      execPath: process.execPath,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.process.on('message', (reply: Reply) => {
      this.replies.push(reply);
      if (reply.type === 'error') {
        for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(String(reply.message)));
        return;
      }
      const index = this.waiters.findIndex((waiter) => waiter.type === reply.type);
      if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(reply);
    });
  }

  send(message: Record<string, unknown>): void {
    this.process.send(message);
  }

  /** The next reply of this type sent after the call; rejects when the child reports an error. */
  next<T extends Reply = Reply>(type: string): Promise<T> {
    return new Promise<T>((resolve, reject) =>
      this.waiters.push({ type, resolve: resolve as (reply: Reply) => void, reject }),
    );
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill('SIGKILL');
    await exited;
  }
}
