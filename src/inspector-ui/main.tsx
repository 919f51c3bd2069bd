/**
 * The browser call inspector's page: a token gate, then the calls and one call, kept live by the server's event
 * stream (no polling). Bundled by esbuild at build time (scripts/build-inspector.ts) into dist/inspector.
 */
import { render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  type Api,
  type CallSummary,
  type CallView,
  createApi,
  forgetToken,
  keepToken,
  takeToken,
  Unauthorized,
} from './api.ts';
import { CallDetail } from './call-view.tsx';
import { CallList } from './call-list.tsx';
import { followEvents } from './stream.ts';

type Notice = { message: string; tone: 'ok' | 'error' };

/**
 * One load at a time: a burst of exchanges (a campaign) asks again while a load runs, and gets one more load after
 * it rather than one per exchange.
 */
function coalesce(load: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = load().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        void run();
      }
    });
    return running;
  };
  return run;
}

function TokenGate(props: { onToken: (token: string) => void; error: string | undefined }) {
  const [value, setValue] = useState('');
  return (
    <main class="gate">
      <h1>exo-passthru call inspector</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim() !== '') props.onToken(value.trim());
        }}
      >
        <label for="token">Admin token</label>
        <input
          id="token"
          type="password"
          autocomplete="off"
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        />
        <button type="submit">Open</button>
        <p class="note">
          The token serve wrote to <code>.exo-passthru/admin-token-&lt;port&gt;</code>, or ADMIN_TOKEN. It is kept for
          this tab only. <code>exo-passthru inspect --web</code> opens this page with it.
        </p>
        {props.error ? (
          <p class="error" role="alert">
            {props.error}
          </p>
        ) : null}
      </form>
    </main>
  );
}

function Inspector(props: { api: Api; onUnauthorized: () => void; onForget: () => void }) {
  const { api, onUnauthorized } = props;
  const [calls, setCalls] = useState<CallSummary[]>([]);
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [view, setView] = useState<CallView | undefined>(undefined);
  const [pii, setPii] = useState(false);
  const [live, setLive] = useState<'connecting' | 'live' | 'reconnecting'>('connecting');
  const [notice, setNotice] = useState<Notice | undefined>(undefined);
  const current = useRef({ selected, pii });
  current.current = { selected, pii };

  const guard = useCallback(
    async (work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        if (error instanceof Unauthorized) onUnauthorized();
        else setNotice({ message: (error as Error).message, tone: 'error' });
      }
    },
    [onUnauthorized],
  );
  const loadCalls = useMemo(() => coalesce(() => guard(async () => setCalls(await api.calls()))), [api, guard]);
  const loadView = useMemo(
    () =>
      coalesce(() =>
        guard(async () => {
          const { selected: sid, pii: shown } = current.current;
          setView(sid === undefined ? undefined : await api.call(sid, shown));
        }),
      ),
    [api, guard],
  );

  useEffect(() => {
    const controller = new AbortController();
    followEvents(
      api,
      {
        onExchange: (data) => {
          void loadCalls();
          if (data.callSid !== null && data.callSid === current.current.selected) void loadView();
        },
        onState: (state) => {
          setLive(state);
          // Whatever happened while the stream was down is fetched once it is back.
          if (state === 'live') {
            void loadCalls();
            void loadView();
          }
        },
        onUnauthorized,
      },
      controller.signal,
    );
    return () => controller.abort();
  }, [api, loadCalls, loadView, onUnauthorized]);

  useEffect(() => {
    void loadView();
  }, [selected, pii, loadView]);

  const notify = useCallback((message: string, tone: 'ok' | 'error' = 'ok') => setNotice({ message, tone }), []);

  return (
    <div class="app">
      <header class="top">
        <h1>exo-passthru call inspector</h1>
        <span class={`live ${live}`} role="status">
          {live === 'live' ? '● live' : live === 'connecting' ? 'connecting…' : 'reconnecting…'}
        </span>
        <label class="pii">
          <input type="checkbox" checked={pii} onChange={(e) => setPii((e.target as HTMLInputElement).checked)} /> Show
          phone numbers
        </label>
        <button type="button" onClick={props.onForget}>
          Forget token
        </button>
      </header>
      <p class={`notice ${notice?.tone ?? ''}`} role="status" aria-live="polite">
        {notice?.message ?? ''}
      </p>
      <div class="panes">
        <CallList calls={calls} filter={filter} onFilter={setFilter} selected={selected} onSelect={setSelected} />
        <main class="call" aria-label="Call">
          {view ? (
            <CallDetail view={view} api={api} notify={notify} />
          ) : (
            <p class="empty">
              {calls.length === 0 ? 'No calls yet: play one with exo-passthru simulate.' : 'Pick a call.'}
            </p>
          )}
        </main>
      </div>
    </div>
  );
}

function App() {
  const [token, setToken] = useState<string | null>(() => takeToken());
  const [error, setError] = useState<string | undefined>(undefined);
  const [api, setApi] = useState<Api | undefined>(() => (token ? createApi(token) : undefined));
  const open = (value: string) => {
    keepToken(value);
    setToken(value);
    setApi(createApi(value));
    setError(undefined);
  };
  const refuse = useCallback(() => {
    forgetToken();
    setToken(null);
    setApi(undefined);
    setError('The server refused that token.');
  }, []);
  // A link with #token=… opened in a tab already showing the page changes only the fragment: take it as well.
  useEffect(() => {
    const onHash = () => {
      const handed = takeToken();
      if (handed !== null && handed !== token) open(handed);
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  });
  const forget = () => {
    forgetToken();
    setToken(null);
    setApi(undefined);
  };
  if (token === null || api === undefined) return <TokenGate onToken={open} error={error} />;
  return <Inspector api={api} onUnauthorized={refuse} onForget={forget} />;
}

const root = document.getElementById('app');
if (root) render(<App />, root);
