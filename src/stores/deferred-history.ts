/**
 * A history store that answers before it is open: embedded PGlite takes seconds to start (longer on the first
 * run, which creates the database), and `serve` should listen at once. Until the store is open, writes fail as
 * `UnreachableError`, which the history writer treats like a database that is away: it spools them and replays
 * them once the store answers. Reads and `ping` wait for the store.
 */
import { UnreachableError } from '../errors.ts';
import type { HistoryStore } from './ports.ts';

export type DeferredHistory = HistoryStore & {
  /** Settles when the store is open (or failed to open). */
  readonly opened: Promise<HistoryStore>;
};

export function createDeferredHistory(kind: HistoryStore['kind'], opening: Promise<HistoryStore>): DeferredHistory {
  let store: HistoryStore | undefined;
  const opened = opening.then((opened) => {
    store = opened;
    return opened;
  });
  // A failure is the caller's to report (through `opened`); every call below sees it too.
  opened.catch(() => {});
  const writable = (): HistoryStore => {
    if (store === undefined) throw new UnreachableError(kind, 'the embedded database is still starting');
    return store;
  };
  return {
    kind,
    opened,
    recordCallStart: async (start) => writable().recordCallStart(start),
    recordCallUpdate: async (update) => writable().recordCallUpdate(update),
    recordBatch: async (writes) => writable().recordBatch(writes),
    getCall: async (callSid) => (await opened).getCall(callSid),
    listCalls: async (query) => (await opened).listCalls(query),
    getCustomer: async (customerId) => (await opened).getCustomer(customerId),
    listEvents: async (callSid) => (await opened).listEvents(callSid),
    ping: async () => (await opened).ping(),
    close: async () => {
      const settled = await opened.then(
        (s) => s,
        () => undefined,
      );
      await settled?.close();
    },
  };
}
