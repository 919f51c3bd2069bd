/**
 * An `expect` step judged on the part of the call it stands at (segments.ts): each key becomes one Check with the
 * expected and the actual value in words, so a failure reads as a small diff. Pure.
 */
import { samePhone } from '../simulate/expect.ts';
import type { CallRecord, PlayedDial, PlayedGather, PlayedSay, PlayedVerb } from '../simulate/types.ts';
import type { Part } from './segments.ts';
import { GATHER_ATTRS, SEVERITIES, type Check, type StepExpect } from './types.ts';

const flat = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();
const quote = (text: string) => JSON.stringify(text);

function check(what: string, ok: boolean, expected: string, actual: string): Check {
  return { what, ok, expected, actual };
}

const says = (part: Part) => part.heard.filter((v): v is PlayedSay => v.verb === 'Say');
const saidList = (part: Part) => (says(part).length === 0 ? 'nothing was said' : says(part).map((s) => quote(s.text)).join(' · '));
const of = <T extends PlayedVerb>(part: Part, name: T['verb']) => part.verbs.filter((v): v is T => v.verb === name);

function statusChecks(expect: StepExpect, part: Part): Check[] {
  const checks: Check[] = [];
  const responses = part.steps.map((s) => s.response);
  if (expect.status !== undefined) {
    const seen = part.steps.map((s) => (s.response ? String(s.response.status) : `no response (${s.error ?? 'none'})`));
    checks.push(check('status', seen.length > 0 && responses.every((r) => r?.status === expect.status), String(expect.status), seen.join(', ') || 'no request'));
  }
  if (expect.content_type !== undefined) {
    const want = flat(expect.content_type);
    const seen = responses.map((r) => r?.contentType ?? 'none');
    checks.push(check('content type', seen.length > 0 && seen.every((t) => flat(t).startsWith(want)), expect.content_type, seen.join(', ') || 'no request'));
  }
  if (expect.max_latency_ms !== undefined) {
    const ms = Math.max(0, ...responses.map((r) => r?.ms ?? 0));
    checks.push(check('latency', ms <= expect.max_latency_ms, `≤ ${expect.max_latency_ms} ms`, `${ms} ms`));
  }
  if (expect.max_severity !== undefined) {
    const rank = (s: string) => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
    const worst = part.findings.reduce((w, f) => (rank(f.severity) > rank(w) ? f.severity : w), 'none');
    const codes = part.findings.filter((f) => rank(f.severity) > rank(expect.max_severity ?? 'none')).map((f) => `${f.code} ${f.message}`);
    checks.push(check('findings', rank(worst) <= rank(expect.max_severity), `at most ${expect.max_severity}`, codes.length === 0 ? worst : `${worst}: ${codes.join('; ')}`));
  }
  return checks;
}

function sayChecks(expect: StepExpect, part: Part): Check[] {
  const checks: Check[] = [];
  for (const text of expect.say ?? []) {
    const ok = says(part).some((s) => flat(s.text).includes(flat(text)));
    checks.push(check('say', ok, `something said contains ${quote(text)}`, saidList(part)));
  }
  for (const pattern of expect.say_matches ?? []) {
    const re = new RegExp(pattern, 'iu');
    checks.push(check('say matches', says(part).some((s) => re.test(s.text)), `/${pattern}/`, saidList(part)));
  }
  if (expect.language !== undefined) {
    const want = expect.language.toLowerCase();
    const langs = says(part).map((s) => s.language ?? '(none)');
    const ok = langs.length > 0 && langs.every((l) => l.toLowerCase() === want || l.toLowerCase().startsWith(`${want}-`));
    checks.push(check('language', ok, expect.language, langs.length === 0 ? 'nothing was said' : [...new Set(langs)].join(', ')));
  }
  return checks;
}

function gatherChecks(expect: StepExpect, part: Part): Check[] {
  if (expect.gather === undefined) return [];
  const gather = of<PlayedGather>(part, 'Gather').at(-1);
  if (gather === undefined) return [check('gather', false, 'a Gather', `no Gather: ${part.verbs.map((v) => v.verb).join(', ') || 'no verbs'}`)];
  return GATHER_ATTRS.flatMap((attr) => {
    const want = expect.gather?.[attr];
    if (want === undefined) return [];
    const actual = gather[attr] === undefined ? '(unset)' : String(gather[attr]);
    return [check(`gather ${attr}`, actual === want, want, actual)];
  });
}

function flowChecks(expect: StepExpect, part: Part, record: CallRecord): Check[] {
  const checks: Check[] = [];
  const names = part.verbs.map((v) => v.verb);
  if (expect.verbs !== undefined) checks.push(check('verbs', names.join(',') === expect.verbs.join(','), expect.verbs.join(', '), names.join(', ') || 'no verbs'));
  if (expect.dial !== undefined) {
    const dials = of<PlayedDial>(part, 'Dial');
    const ok = dials.some((d) => d.numbers.some((n) => samePhone(n, expect.dial ?? '')));
    checks.push(check('dial', ok, expect.dial, dials.length === 0 ? `no Dial (${names.join(', ') || 'no verbs'})` : dials.map((d) => d.numbers.join(', ')).join('; ')));
  }
  if (expect.hangup !== undefined) {
    const hung = names.includes('Hangup') || (part.last && record.outcome.kind === 'hangup');
    checks.push(check('hangup', hung === expect.hangup, expect.hangup ? 'the call hangs up' : 'no hangup', hung ? 'hung up' : `no hangup (${names.join(', ') || 'no verbs'})`));
  }
  if (expect.redirect !== undefined) {
    const redirects = part.verbs.flatMap((v) => (v.verb === 'Redirect' ? [v.url] : []));
    const want = expect.redirect;
    const ok = typeof want === 'boolean' ? redirects.length > 0 === want : redirects.some((u) => u.includes(want));
    checks.push(check('redirect', ok, typeof want === 'boolean' ? (want ? 'a Redirect' : 'no Redirect') : `Redirect to …${want}…`, redirects.join(', ') || 'no Redirect'));
  }
  return checks;
}

export function judgeExpect(expect: StepExpect, part: Part, record: CallRecord): Check[] {
  return [...statusChecks(expect, part), ...sayChecks(expect, part), ...gatherChecks(expect, part), ...flowChecks(expect, part, record)];
}
