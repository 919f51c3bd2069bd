/**
 * ExoML and JSON answers, line by line, with syntax colours and the validator's findings under the lines they
 * point at. Text goes through Preact, which escapes it: nothing from a response is ever parsed as HTML.
 */
import type { ComponentChildren } from 'preact';
import type { Finding } from './api.ts';

type Token = { text: string; kind?: string };

const XML = /(<\/?[\w:.-]+|\/?>|<\?xml|\?>)|([\w:.-]+)(?==)|("[^"]*"|'[^']*')/g;
const JSON_TOKENS = /("(?:[^"\\]|\\.)*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

function tokens(line: string, pattern: RegExp, classify: (m: RegExpExecArray) => string): Token[] {
  const out: Token[] = [];
  let last = 0;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(line); m !== null; m = pattern.exec(line)) {
    if (m.index > last) out.push({ text: line.slice(last, m.index) });
    out.push({ text: m[0], kind: classify(m) });
    last = m.index + m[0].length;
  }
  if (last < line.length) out.push({ text: line.slice(last) });
  return out;
}

function lineTokens(line: string, kind: string): Token[] {
  if (kind === 'exoml') return tokens(line, XML, (m) => (m[1] ? 'tag' : m[2] ? 'attr' : 'str'));
  if (kind === 'gather-json' || kind === 'connect-json')
    return tokens(line, JSON_TOKENS, (m) => (m[1] ? (m[2] ? 'key' : 'str') : m[3] ? 'lit' : 'num'));
  return [{ text: line }];
}

export function Code(props: { text: string; kind: string; findings: readonly Finding[]; label: string }) {
  const lines = props.text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const rows: ComponentChildren[] = [];
  lines.forEach((line, index) => {
    const here = props.findings.filter((f) => f.line === index + 1);
    const worst = here.some((f) => f.severity === 'error') ? 'error' : here.length > 0 ? here[0]?.severity : undefined;
    rows.push(
      <div class={`line${worst ? ` flagged ${worst}` : ''}`} key={`l${index}`}>
        <span class="ln" aria-hidden="true">
          {index + 1}
        </span>
        <code>
          {lineTokens(line, props.kind).map((t, i) => (
            <span class={t.kind} key={i}>
              {t.text}
            </span>
          ))}
        </code>
      </div>,
    );
    for (const f of here) {
      rows.push(
        <div class={`finding ${f.severity}`} role="note" key={`f${index}-${f.code}-${f.column}`}>
          <strong>{f.code}</strong> {f.severity} at {f.line}:{f.column} — {f.message}
          {f.hint ? <span class="hint"> · {f.hint}</span> : null}
        </div>,
      );
    }
  });
  const outside = props.findings.filter((f) => f.line < 1 || f.line > lines.length);
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus, or a keyboard cannot scroll a long answer.
    <section class="code" aria-label={props.label} tabIndex={0}>
      {rows}
      {outside.map((f) => (
        <div class={`finding ${f.severity}`} role="note" key={`o-${f.code}`}>
          <strong>{f.code}</strong> {f.severity} — {f.message}
        </div>
      ))}
    </section>
  );
}
