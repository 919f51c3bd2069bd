/**
 * A history store that is there before it is open: embedded PGlite takes seconds to start (more on a first run,
 * which creates the database), and `serve` should listen at once. The history writer (history-writer.ts) is
 * told the store is opening and spools writes until it is; this wrapper keeps reads honest meanwhile:
 *
 * - reads wait until `ready`: the store is open *and* the writer has replayed what it spooled, both the writes
 *   taken while the store opened and those a previous run left in the spool. Reading the store as soon as it is
 *   open would miss them (a call written in a first run read as 404 on a second run's first read);
 * - `ping` does not wait: it fails at once with E_HISTORY_STARTING, so `/health` answers 503 "starting" without
 *   holding the prober;
 * - writes are the writer's alone and it sends none before the store is open; one arriving anyway is refused as
 *   unreachable, which the writer would spool.
 */
import { AppError, UnreachableError } from '../errors.ts';
import { HISTORY_STARTING, type HistoryStore } from './ports.ts';

export type DeferredHistory = HistoryStore & {
  /** Settles once reads see every write accepted before it (see above); rejects when the store cannot open. */
  readonly ready: Promise<void>;
};

/**
 * `opening`: the store being opened. `caughtUp`: called once it is open; resolves when the writer has replayed
 * its spool (HistoryWriter.settle).
 */
export function createDeferredHistory(
  kind: HistoryStore['kind'],
  opening: Promise<HistoryStore>,
  caughtUp: () => Promise<void>,
): DeferredHistory {
  let store: HistoryStore | undefined;
  let isReady = false;
  const ready = opening.then(async (opened) => {
    store = opened;
    await caughtUp();
    isReady = true;
  });
  // The failure is reported through `ready` (serve stops on it); every read sees it as well.
  ready.catch(() => {});
  const open = async (): Promise<HistoryStore> => {
    await ready;
    return store as HistoryStore;
  };
  const writable = (): HistoryStore => {
    if (store === undefined) throw new UnreachableError(kind, 'the embedded database is still opening');
    return store;
  };
  return {
    kind,
    ready,
    recordCallStart: async (start) => writable().recordCallStart(start),
    recordCallUpdate: async (update) => writable().recordCallUpdate(update),
    recordBatch: async (writes) => writable().recordBatch(writes),
    getCall: async (callSid) => (await open()).getCall(callSid),
    listCalls: async (query) => (await open()).listCalls(query),
    getCustomer: async (customerId) => (await open()).getCustomer(customerId),
    listEvents: async (callSid) => (await open()).listEvents(callSid),
    ping: async () => {
      if (!isReady) {
        await Promise.race([ready, Promise.resolve()]);
        if (!isReady)
          throw new AppError('history starting: the embedded database is opening', {
            code: HISTORY_STARTING,
            component: kind,
          });
      }
      await (store as HistoryStore).ping();
    },
    close: async () => {
      const opened = await opening.then(
        (s) => s,
        () => undefined,
      );
      await opened?.close();
    },
  };
}
