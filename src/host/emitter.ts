// A tiny event emitter whose `event` has the shape of `vscode.Event`, so host modules can expose
// VS Code events without importing `vscode` (and run in plain-Node tests).
import type * as vscode from 'vscode';

export interface Disposable {
  dispose(): void;
}

export class Emitter<T> implements Disposable {
  private listeners = new Set<(value: T) => unknown>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  readonly event: vscode.Event<T> = (listener, thisArgs?, disposables?) => {
    const bound = (value: T) => listener.call(thisArgs, value);
    this.listeners.add(bound);
    const subscription = { dispose: () => void this.listeners.delete(bound) };
    disposables?.push(subscription);
    return subscription;
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  dispose(): void {
    this.listeners.clear();
  }
}
