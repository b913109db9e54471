// The host's side of one webview: messages wait until the page says it is listening (`ready`), and
// only the latest state is kept while it waits. A panel without retainContextWhenHidden loses its
// page when hidden; the reloaded page sends `ready` again and gets the current snapshot.

export interface StateMessage {
  type: string;
}

/** Message types that replace the whole page state: only the newest of them is worth sending. */
const STATE_TYPES = new Set(['snapshot', 'unavailable']);

export class PanelChannel<Out extends StateMessage> {
  private ready = false;
  private queue: Out[] = [];

  constructor(private readonly post: (message: Out) => PromiseLike<boolean>) {}

  get isReady(): boolean {
    return this.ready;
  }

  /** Posts now if the page listens; otherwise queues, replacing an older state message. */
  send(message: Out): void {
    if (this.ready) {
      void this.post(message);
      return;
    }
    if (STATE_TYPES.has(message.type)) {
      this.queue = this.queue.filter((queued) => !STATE_TYPES.has(queued.type));
    }
    this.queue.push(message);
  }

  /** The page posted `ready`: flush what waited, in order. */
  markReady(): void {
    this.ready = true;
    const waiting = this.queue;
    this.queue = [];
    for (const message of waiting) void this.post(message);
  }

  /** The page went away (hidden, or its HTML was replaced): wait for the next `ready`. */
  reset(): void {
    this.ready = false;
  }

  get pending(): readonly Out[] {
    return this.queue;
  }
}
