/**
 * The call as a user reads it: one line per request (method, path, status, latency), what the caller hears
 * and presses, findings, notes, the outcome and the expectations; and the `--json` document. Lines carry a tone;
 * the CLI colours them (chalk lives in cli/output.ts only). Pure.
 */
import type { ExpectationResult } from './expect.ts';
import type {
  CallEnding,
  CallEvent,
  CallRecord,
  Finding,
  GatherInput,
  InputNames,
  InputSource,
  PlayedVerb,
  Step,
} from './types.ts';

export type Tone = 'plain' | 'step' | 'dim' | 'ok' | 'warn' | 'error';
export type Line = { text: string; tone: Tone };

const line = (text: string, tone: Tone = 'plain'): Line => ({ text, tone });

/** The path when the URL is on the call's first origin, else origin + path; the query is left to --json. */
function showUrl(url: string, origin: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  return parsed.origin === origin ? parsed.pathname : `${parsed.origin}${parsed.pathname}`;
}

function formatStep(step: Step, origin: string): Line {
  const head = `▶ ${step.request.method} ${showUrl(step.request.url, origin)}`;
  if (step.response === undefined) return line(`${head} ✖ ${step.error ?? 'no response'}`, 'error');
  const { status, ms } = step.response;
  return line(`${head} ${status} ${ms} ms`, status >= 200 && status < 300 ? 'step' : 'error');
}

function formatFinding(finding: Finding): Line[] {
  const where = finding.path.startsWith('http.') ? finding.path : `${finding.line}:${finding.column}`;
  const lines = [
    line(
      `  ⚠ ${finding.severity} ${finding.code} ${where} ${finding.message}`,
      finding.severity === 'error' ? 'error' : 'warn',
    ),
  ];
  if (finding.hint) lines.push(line(`      hint: ${finding.hint}`, 'dim'));
  return lines;
}

const attrs = (pairs: Array<[string, string | number | undefined]>) =>
  pairs
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v === '' ? '""' : String(v)}`)
    .join(' ');

function describeVerb(verb: PlayedVerb, origin: string): string {
  switch (verb.verb) {
    case 'Say': {
      const loop = verb.loop !== undefined && verb.loop !== '1' ? ` (loop ${verb.loop})` : '';
      return `🔊 Say [${verb.language ?? 'en'}] ${verb.text}${loop}`;
    }
    case 'Play':
      return `🎵 Play ${verb.url}`;
    case 'Gather':
      return `⌨ Gather ${attrs([
        ['numDigits', verb.numDigits],
        ['timeout', verb.timeout],
        ['finishOnKey', verb.finishOnKey],
      ])}`;
    case 'Dial': {
      const callerId = verb.callerId !== undefined ? ` (callerId ${verb.callerId})` : '';
      const action = verb.action !== undefined ? ` → action ${verb.method} ${showUrl(verb.action, origin)}` : '';
      return `☎ Dial ${verb.numbers.join(', ') || '(no number)'}${callerId}${action}`;
    }
    case 'Record':
      return `⏺ Record ${attrs([
        ['maxLength', verb.maxLength],
        ['finishOnKey', verb.finishOnKey],
      ])}`.trimEnd();
    case 'Redirect':
      return `↪ Redirect ${verb.method} ${showUrl(verb.url, origin)}`;
    case 'Hangup':
      return '✖ Hangup';
    case 'Pause':
      return `⏸ Pause ${verb.length ?? '1'} s`;
    case 'Other':
      return `? <${verb.name}>`;
  }
}

function sourceLabel(source: InputSource, names: InputNames): string | undefined {
  if (source === 'keypad') return 'keypad';
  if (source === 'no-input') return names.noInput;
  if (source === 'digits-exhausted') return `${names.digits ?? 'digits'} used up`;
  return undefined;
}

function describeInput(input: GatherInput, timeout: number, names: InputNames): string {
  const details: string[] = [];
  if (input.kind === 'keys' && input.endedBy === 'finishOnKey') details.push('finish key');
  if (input.kind === 'keys' && input.endedBy === 'timeout') details.push(`sent after the ${timeout} s timeout`);
  if (input.kind === 'no-input') details.push(`timeout ${timeout} s`);
  const source = sourceLabel(input.source, names);
  if (source !== undefined) details.push(source);
  const head = input.kind === 'keys' ? `→ pressed ${input.digits}` : '→ no input';
  return details.length > 0 ? `${head} (${details.join(', ')})` : head;
}

/** One event as transcript lines; `names` are how the caller names its inputs (the CLI: its flags). */
export function formatEvent(event: CallEvent, origin: string, names: InputNames = {}): Line[] {
  switch (event.type) {
    case 'step':
      return [formatStep(event.step, origin)];
    case 'finding':
      return formatFinding(event.finding);
    case 'verb':
      return [line(`${'  '.repeat(event.depth + 1)}${describeVerb(event.verb, origin)}`)];
    case 'input':
      return [
        line(
          `    ${describeInput(event.input, event.verb.timeout, names)}`,
          event.input.kind === 'keys' ? 'ok' : 'warn',
        ),
      ];
    case 'note':
      return [
        line(`  ${event.level === 'warning' ? '⚠' : 'ℹ'} ${event.text}`, event.level === 'warning' ? 'warn' : 'dim'),
      ];
  }
}

function describeEnding(ending: CallEnding): string {
  switch (ending.kind) {
    case 'dial':
      return `dial ${ending.numbers?.join(', ') ?? ending.number ?? ''}${ending.callerId !== undefined ? ` (callerId ${ending.callerId})` : ''}`;
    case 'error':
      return `error: ${ending.reason ?? 'unknown'}`;
    default:
      return ending.reason ? `${ending.kind} (${ending.reason})` : ending.kind;
  }
}

export function formatClosing(record: CallRecord, expectations: readonly ExpectationResult[]): Line[] {
  const ms = record.steps.reduce((sum, step) => sum + (step.response?.ms ?? 0), 0);
  const findings = record.steps.reduce((sum, step) => sum + step.findings.length, 0);
  const stats = `${record.steps.length} request${record.steps.length === 1 ? '' : 's'}, ${ms} ms server time, ${findings} finding${findings === 1 ? '' : 's'}`;
  const lines = [
    line(`outcome: ${describeEnding(record.outcome)}`, record.outcome.kind === 'error' ? 'error' : 'ok'),
    line(`  ${stats}; CallSid ${record.callSid}`, 'dim'),
  ];
  for (const result of expectations)
    lines.push(line(`${result.ok ? '✓' : '✗'} expect ${result.expect}: ${result.detail}`, result.ok ? 'ok' : 'error'));
  return lines;
}

export function formatTranscript(record: CallRecord, expectations: readonly ExpectationResult[] = []): Line[] {
  const origin = URL.canParse(record.url) ? new URL(record.url).origin : '';
  return [...record.events.flatMap((event) => formatEvent(event, origin)), ...formatClosing(record, expectations)];
}

/** The `--json` document: every request, response, finding and verb, the outcome and the expectations. */
export function toJsonDocument(record: CallRecord, expectations: readonly ExpectationResult[] = []) {
  return {
    url: record.url,
    callSid: record.callSid,
    steps: record.steps.map((step) => ({
      request: step.request,
      response: step.response ?? null,
      ...(step.error !== undefined ? { error: step.error } : {}),
      findings: step.findings,
      verbs: step.verbs,
    })),
    outcome: record.outcome,
    expectations,
    // The transcript's warning notes (unused digit groups, ignored keys, unknown verbs): --json has no transcript.
    warnings: record.events.flatMap((event) =>
      event.type === 'note' && event.level === 'warning' ? [event.text] : [],
    ),
  };
}
