// Connects the watcher to the notifier: the steps and the start become notifications.
import type { WatcherObserver } from '../watcher/watcher-observer.ts';
import { notificationsForStep, watcherStartedNotification } from './notification.ts';
import type { Notifier } from './notifier.ts';
import type { SenderInfo } from './payloads.ts';

export function notifyingObserver(notifier: Notifier, sender: SenderInfo, now: () => number = Date.now): WatcherObserver {
  return {
    onStart(state, restoredPhase) {
      notifier.notify(watcherStartedNotification(state, restoredPhase, sender.host, sender.version, now(), sender.standbyMode));
    },
    onStep(_previous, step) {
      for (const n of notificationsForStep(step, now())) notifier.notify(n);
    },
  };
}
