/** The calls in the server's memory, newest first, filtered by what the user types. */
import type { CallSummary } from './api.ts';
import { clock, duration } from './format.ts';

function matches(call: CallSummary, filter: string): boolean {
  if (filter === '') return true;
  const haystack = [call.callSid, call.customer, call.language, call.outcome, call.waiting ? 'waiting gather' : '']
    .join(' ')
    .toLowerCase();
  return filter
    .toLowerCase()
    .split(/\s+/)
    .every((word) => haystack.includes(word));
}

export function CallList(props: {
  calls: readonly CallSummary[];
  filter: string;
  onFilter: (value: string) => void;
  selected: string | undefined;
  onSelect: (sid: string) => void;
}) {
  const shown = props.calls.filter((c) => matches(c, props.filter.trim()));
  return (
    <nav class="calls" aria-label="Calls">
      <label for="filter">Filter calls</label>
      <input
        id="filter"
        type="search"
        placeholder="CallSid, customer, language, outcome…"
        value={props.filter}
        onInput={(e) => props.onFilter((e.target as HTMLInputElement).value)}
      />
      <p class="count" aria-live="polite">
        {shown.length} of {props.calls.length} calls
      </p>
      <ul>
        {shown.map((call) => (
          <li key={call.callSid}>
            <button
              type="button"
              class="call"
              aria-current={call.callSid === props.selected ? 'true' : undefined}
              onClick={() => props.onSelect(call.callSid)}
            >
              <span class="sid">{call.callSid}</span>
              <span class="who">{call.customer ?? 'unknown customer'}</span>
              <span class="meta">
                {clock(call.at)} · {call.language ?? '—'} ·{' '}
                {call.outcome ?? (call.waiting ? 'at Gather' : 'no outcome')} · {duration(call.durationMs)} ·{' '}
                {call.requests} req
              </span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
