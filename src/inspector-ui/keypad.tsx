/** A phone keypad for a call waiting at a Gather: the keys go to the Gather's action as Exotel would send them. */
import { useState } from 'preact/hooks';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

export function Keypad(props: { onSend: (keys: string) => Promise<void> }) {
  const [keys, setKeys] = useState('');
  const [busy, setBusy] = useState(false);
  const send = async () => {
    setBusy(true);
    try {
      await props.onSend(keys);
      setKeys('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="keypad" aria-label="Keypad">
      <h3>Keypad: the call waits at a Gather</h3>
      <output aria-live="polite" aria-label="Keys pressed">
        {keys === '' ? 'no keys yet' : keys}
      </output>
      <div class="keys">
        {KEYS.map((key) => (
          <button type="button" key={key} aria-label={`key ${key}`} onClick={() => setKeys((k) => `${k}${key}`)}>
            {key}
          </button>
        ))}
      </div>
      <div class="row">
        <button type="button" onClick={() => setKeys('')} disabled={keys === '' || busy}>
          Clear
        </button>
        <button type="button" class="primary" onClick={send} disabled={keys === '' || busy}>
          Send keys
        </button>
      </div>
    </section>
  );
}
