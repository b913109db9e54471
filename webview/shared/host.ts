// The page's link to the extension host. VS Code injects `acquireVsCodeApi` (callable once); the
// panels take the API as a parameter so component tests can pass a recorder instead.

export interface HostApi<Out, State> {
  postMessage(message: Out): void;
  getState(): unknown;
  setState(state: State): void;
}

declare function acquireVsCodeApi(): HostApi<unknown, unknown>;

export function vscodeHost<Out, State>(): HostApi<Out, State> {
  return acquireVsCodeApi() as HostApi<Out, State>;
}
