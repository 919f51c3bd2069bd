/**
 * One call: the stores side by side with their differences, then every webhook as it happened — request
 * parameters, the answer with its findings, time against Exotel's budget — with replay, curl and the keypad.
 */
import type { Api, CallView, ExchangeView } from './api.ts';
import { Code } from './highlight.tsx';
import { Keypad } from './keypad.tsx';
import { clock, copyText, duration } from './format.ts';

type Notify = (message: string, tone?: 'ok' | 'error') => void;

function Budget(props: { ms: number; budgetMs: number; slowMs: number }) {
  const tone = props.ms > props.budgetMs ? 'over' : props.ms > props.slowMs ? 'slow' : 'ok';
  return (
    <span class={`budget ${tone}`}>
      <meter min={0} max={props.budgetMs} low={props.slowMs} high={props.slowMs} optimum={0} value={props.ms}>
        {props.ms} ms
      </meter>{' '}
      {duration(props.ms)} of Exotel's {duration(props.budgetMs)}
      {tone === 'over' ? ': Exotel gives up' : tone === 'slow' ? ': the caller hears silence' : ''}
    </span>
  );
}

function Exchange(props: { exchange: ExchangeView; api: Api; notify: Notify }) {
  const e = props.exchange;
  const errors = e.findings.filter((f) => f.severity === 'error').length;
  const replay = async () => {
    try {
      const result = await props.api.replay(e.id);
      props.notify(
        result.ok ? `replayed #${e.id}: HTTP ${result.status}` : `replay failed: ${result.reason}`,
        result.ok ? 'ok' : 'error',
      );
    } catch (error) {
      props.notify(`replay failed: ${(error as Error).message}`, 'error');
    }
  };
  const curl = async () => {
    const copied = await copyText(e.curl);
    props.notify(copied ? 'curl command copied' : `copy failed; the command is: ${e.curl}`, copied ? 'ok' : 'error');
  };
  return (
    <li class="exchange">
      <article aria-label={`${e.method} ${e.path}`}>
        <header>
          <h3>
            <span class="method">{e.method}</span> {e.path}{' '}
            <span class={`status s${Math.floor(e.status / 100)}`}>{e.status}</span>
          </h3>
          <span class="at">{clock(e.at)}</span>
          <Budget ms={e.ms} budgetMs={e.budgetMs} slowMs={e.slowMs} />
          <span class="actions">
            <button type="button" onClick={replay}>
              Replay
            </button>
            <button type="button" onClick={curl}>
              Copy as curl
            </button>
          </span>
        </header>
        <div class="split">
          <section aria-label="Request parameters">
            <h4>Request</h4>
            <table class="params">
              <tbody>
                {Object.entries(e.params).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td>{v}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section aria-label="Answer">
            <h4>
              Answer <span class="kind">{e.kind === 'other' ? (e.contentType ?? '') : e.kind}</span>
              {e.findings.length > 0 ? (
                <span class={`badge ${errors > 0 ? 'error' : 'warning'}`}>
                  {e.findings.length} finding{e.findings.length === 1 ? '' : 's'}
                </span>
              ) : e.kind !== 'other' ? (
                <span class="badge ok">valid</span>
              ) : null}
            </h4>
            <Code text={e.response} kind={e.kind} findings={e.findings} label={`answer to ${e.method} ${e.path}`} />
            {e.truncated ? <p class="note">the answer was longer than the inspector keeps; it is cut here</p> : null}
          </section>
        </div>
      </article>
    </li>
  );
}

function Store(props: { title: string; value: unknown }) {
  return (
    <section class="store" aria-label={props.title}>
      <h4>{props.title}</h4>
      {props.value === null ? <p class="note">none</p> : <pre>{JSON.stringify(props.value, null, 2)}</pre>}
    </section>
  );
}

export function CallDetail(props: { view: CallView; api: Api; notify: Notify }) {
  const { view, api, notify } = props;
  const scenario = async () => {
    try {
      const text = await api.scenario(view.callSid);
      if (text === undefined) {
        notify('the server answered 404: it has no test scenario export for this call', 'error');
        return;
      }
      const copied = await copyText(text);
      notify(copied ? 'test scenario copied' : 'copy failed: the clipboard is not available', copied ? 'ok' : 'error');
    } catch (error) {
      notify(`scenario: ${(error as Error).message}`, 'error');
    }
  };
  const press = async (keys: string) => {
    try {
      await api.keys(view.callSid, keys);
      notify(`sent ${keys} to the Gather`, 'ok');
    } catch (error) {
      notify(`keys not sent: ${(error as Error).message}`, 'error');
    }
  };
  return (
    <div class="detail">
      <header class="call-head">
        <h2>Call {view.callSid}</h2>
        <button type="button" onClick={scenario}>
          Copy as test scenario
        </button>
      </header>
      <section class="stores" aria-label="Stores">
        <Store
          title={`Session (${view.stores.sessions})${view.ttlSeconds !== null ? ` · expires in ${view.ttlSeconds} s` : ''}`}
          value={view.session}
        />
        <Store title={`Call row (${view.stores.history})`} value={view.call} />
      </section>
      <details class="more">
        <summary>
          Customer row and {view.events.length} event{view.events.length === 1 ? '' : 's'}
        </summary>
        <div class="stores">
          <Store title="Customer row" value={view.customer} />
          <Store title="Events" value={view.events} />
        </div>
      </details>
      {view.mismatches.length > 0 ? (
        <ul class="mismatches" aria-label="Differences between the stores">
          {view.mismatches.map((m) => (
            <li key={m.kind}>{m.message}</li>
          ))}
        </ul>
      ) : (
        <p class="agree">The session and the call row agree.</p>
      )}
      <h3 class="timeline-title">Webhooks ({view.exchanges.length})</h3>
      <ol class="timeline">
        {view.exchanges.map((e) => (
          <Exchange key={e.id} exchange={e} api={api} notify={notify} />
        ))}
      </ol>
      {view.waiting ? <Keypad onSend={press} /> : null}
    </div>
  );
}
