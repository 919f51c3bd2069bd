/**
 * `simulate --flavor applet` as a user reads it: one line per applet (its request, status and the branch taken),
 * what the caller hears and presses, findings, the dial, the StatusCallback attempts, the outcome and the
 * expectations; and the `--json` document. Pure.
 */
import type { AppletStep, FlowCallRecord, FlowEnding, FlowEvent } from '../appflow/walk-types.ts';
import { samePhone, type Expectation, type ExpectationResult } from './expect.ts';
import type { Line, Tone } from './report.ts';

const line = (text: string, tone: Tone = 'plain'): Line => ({ text, tone });

function showUrl(url: string, origin: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  return parsed.origin === origin ? parsed.pathname : `${parsed.origin}${parsed.pathname}`;
}

function stepLines(step: AppletStep, origin: string): Line[] {
  const head = `▶ ${step.applet} (${step.kind})`;
  const lines: Line[] = [];
  const ex = step.exchange;
  if (ex === undefined) lines.push(line(head, 'step'));
  else if (ex.status === undefined)
    lines.push(line(`${head} ${ex.method} ${showUrl(ex.url, origin)} ✖ ${ex.error ?? 'no answer'}`, 'error'));
  else {
    const good = step.kind === 'passthru' ? true : ex.status >= 200 && ex.status < 300;
    lines.push(
      line(`${head} ${ex.method} ${showUrl(ex.url, origin)} ${ex.status} ${ex.ms} ms`, good ? 'step' : 'error'),
    );
  }
  for (const f of step.findings) {
    lines.push(line(`  ⚠ ${f.severity} ${f.code} ${f.path} ${f.message}`, f.severity === 'error' ? 'error' : 'warn'));
    if (f.hint) lines.push(line(`      hint: ${f.hint}`, 'dim'));
  }
  if (step.heard !== undefined && step.heard !== '') lines.push(line(`  🔊 ${step.heard}`));
  if (step.keys)
    lines.push(
      step.keys.digits === ''
        ? line('    → no input (digits="")', 'warn')
        : line(`    → pressed ${step.keys.digits} (digits="${step.keys.digits}")`, 'ok'),
    );
  if (step.branch) {
    const why =
      step.branch === 'ok'
        ? '200 → the "OK" branch'
        : `${step.exchange?.error !== undefined ? 'no answer' : 'not 200'} → the "anything else" branch`;
    lines.push(line(`  ⑂ ${why} → ${step.next ?? 'end'}`, step.branch === 'ok' ? 'ok' : 'warn'));
  }
  if (step.dial)
    lines.push(
      line(
        `  ☎ Connect ${step.dial.numbers.join(', ')} (simulated: answered, ${step.dial.status} after ${step.dial.duration} s)`,
      ),
    );
  return lines;
}

export function formatFlowEvent(event: FlowEvent, origin: string): Line[] {
  switch (event.type) {
    case 'step':
      return stepLines(event.step, origin);
    case 'callback': {
      const { attempt } = event;
      const result = attempt.status !== undefined ? `${attempt.status} ${attempt.ms} ms` : `✖ ${attempt.error ?? ''}`;
      const ok = attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300;
      return [
        line(
          `▶ StatusCallback POST ${showUrl(event.url, origin)} (attempt ${attempt.attempt}/3) ${result}`,
          ok ? 'step' : 'error',
        ),
      ];
    }
  }
}

function describeEnding(ending: FlowEnding): string {
  if (ending.kind === 'dial') return `dial ${ending.numbers?.join(', ') ?? ''} (${ending.reason})`;
  if (ending.kind === 'error') return `error: ${ending.reason}`;
  return `${ending.kind} (${ending.reason})`;
}

export function formatFlowClosing(record: FlowCallRecord, expectations: readonly ExpectationResult[]): Line[] {
  const findings = record.steps.reduce((sum, step) => sum + step.findings.length, 0);
  const callback = record.statusCallback;
  const lines = [
    line(`outcome: ${describeEnding(record.outcome)}`, record.outcome.kind === 'error' ? 'error' : 'ok'),
    line(
      `  ${record.steps.length} applets, ${findings} finding${findings === 1 ? '' : 's'}; CallSid ${record.callSid}`,
      'dim',
    ),
  ];
  if (callback && !callback.delivered)
    lines.push(line(`StatusCallback not accepted after ${callback.attempts.length} attempts`, 'error'));
  for (const result of expectations)
    lines.push(line(`${result.ok ? '✓' : '✗'} expect ${result.expect}: ${result.detail}`, result.ok ? 'ok' : 'error'));
  return lines;
}

function judge(expectation: Expectation, record: FlowCallRecord): { ok: boolean; detail: string } {
  const { outcome } = record;
  const seen = `outcome: ${outcome.kind}${outcome.numbers ? ` ${outcome.numbers.join(', ')}` : ''}`;
  switch (expectation.kind) {
    case 'dial':
      return { ok: outcome.kind === 'dial', detail: seen };
    case 'dial-number':
      return { ok: (outcome.numbers ?? []).some((n) => samePhone(n, expectation.value)), detail: seen };
    case 'hangup':
      return { ok: outcome.kind === 'hangup', detail: seen };
    case 'no-input':
      return { ok: outcome.kind === 'no-input', detail: seen };
    case 'say': {
      const want = expectation.value.toLowerCase();
      const heard = record.steps.find((step) => step.heard?.toLowerCase().includes(want));
      return heard
        ? { ok: true, detail: `heard "${heard.heard}"` }
        : { ok: false, detail: `nothing heard contains "${expectation.value}"` };
    }
  }
}

export function evaluateFlowExpectations(
  expectations: readonly Expectation[],
  record: FlowCallRecord,
): ExpectationResult[] {
  return expectations.map((expectation) => ({ expect: expectation.raw, ...judge(expectation, record) }));
}

/** The `--json` document: every applet with its request and answer, the outcome, the StatusCallback. */
export function toFlowJsonDocument(record: FlowCallRecord, expectations: readonly ExpectationResult[]) {
  return {
    flavor: 'applet',
    flow: record.flow,
    callSid: record.callSid,
    steps: record.steps,
    outcome: record.outcome,
    statusCallback: record.statusCallback ?? null,
    expectations,
  };
}
