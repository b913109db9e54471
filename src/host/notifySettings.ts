// Setting names (under `mergexo.`) of the opt-in notifications, one per kind.
import type { NotifyKind } from '../views/modelNotify';

export const NOTIFY_SETTINGS: Record<NotifyKind, string> = {
  runFailed: 'notifications.runFailed',
  prBlocked: 'notifications.prBlocked',
  agentStalled: 'notifications.agentStalled',
};
