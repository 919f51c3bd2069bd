/**
 * Scenario results as text: pretty lines (✓/✗ per step, expected vs actual under a failure), the JSON document
 * and JUnit XML (one testcase per scenario; a failure names the step and carries the diff). Pure.
 */
import type { Check, ScenarioResult, StepResult } from './types.ts';

type Tone = 'ok' | 'fail' | 'dim' | 'plain';
export type PrettyLine = { text: string; tone: Tone };

function diffLines(checks: readonly Check[], indent: string): PrettyLine[] {
  return checks
    .filter((c) => !c.ok)
    .flatMap((c) => [
      { text: `${indent}${c.what}`, tone: 'plain' as const },
      { text: `${indent}  - expected: ${c.expected}`, tone: 'ok' as const },
      { text: `${indent}  + actual:   ${c.actual}`, tone: 'fail' as const },
    ]);
}

function stepLines(step: StepResult): PrettyLine[] {
  const head = { text: `  ${step.ok ? '✓' : '✗'} ${step.label} (line ${step.line})`, tone: step.ok ? ('ok' as const) : ('fail' as const) };
  return [head, ...diffLines(step.checks, '      ')];
}

export function prettyScenario(result: ScenarioResult): PrettyLine[] {
  const mark = result.ok ? '✓' : '✗';
  const head = { text: `${mark} ${result.name}  ${result.file}:${result.line}  (${result.ms} ms)`, tone: result.ok ? ('ok' as const) : ('fail' as const) };
  if (result.unreachable !== undefined) return [head, { text: `  ✗ unreachable: ${result.unreachable}`, tone: 'fail' }];
  return [head, ...result.steps.flatMap(stepLines), { text: `  call ${result.callSid} · ended: ${result.ending}`, tone: 'dim' }];
}

export type Totals = { scenarios: number; passed: number; failed: number; unreachable: number; ms: number };

export function totals(results: readonly ScenarioResult[], ms: number): Totals {
  const unreachable = results.filter((r) => r.unreachable !== undefined).length;
  const passed = results.filter((r) => r.ok).length;
  return { scenarios: results.length, passed, failed: results.length - passed, unreachable, ms };
}

export function prettySummary(t: Totals): PrettyLine {
  const parts = [`${t.passed} passed`, `${t.failed} failed`, ...(t.unreachable > 0 ? [`${t.unreachable} unreachable`] : [])];
  return { text: `\n${t.scenarios} scenario(s): ${parts.join(', ')} (${t.ms} ms)`, tone: t.failed === 0 ? 'ok' : 'fail' };
}

export function jsonReport(results: readonly ScenarioResult[], t: Totals): unknown {
  return { ...t, results };
}

const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Text for an XML attribute or element: the five specials escaped, characters XML cannot carry dropped. */
function xmlEscape(text: string): string {
  return text
    .replace(XML_FORBIDDEN, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function failureText(result: ScenarioResult): string {
  if (result.unreachable !== undefined) return `unreachable: ${result.unreachable}`;
  return result.steps
    .filter((s) => !s.ok)
    .flatMap((s) => [`step ${s.index + 1}: ${s.label} (${result.file}:${s.line})`, ...diffLines(s.checks, '  ').map((l) => l.text)])
    .join('\n');
}

function testcase(result: ScenarioResult): string {
  const attrs = `name="${xmlEscape(result.name)}" classname="${xmlEscape(result.file)}" time="${(result.ms / 1000).toFixed(3)}"`;
  if (result.ok) return `    <testcase ${attrs}/>`;
  const first = result.unreachable ?? result.steps.find((s) => !s.ok)?.label ?? 'failed';
  const kind = result.unreachable !== undefined ? 'error' : 'failure';
  return `    <testcase ${attrs}>\n      <${kind} message="${xmlEscape(first)}" type="${kind}">${xmlEscape(failureText(result))}</${kind}>\n    </testcase>`;
}

export function junitReport(results: readonly ScenarioResult[], t: Totals): string {
  const failures = t.failed - t.unreachable;
  const head = `tests="${t.scenarios}" failures="${failures}" errors="${t.unreachable}" time="${(t.ms / 1000).toFixed(3)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="exo-passthru test" ${head}>`,
    `  <testsuite name="scenarios" ${head} skipped="0">`,
    ...results.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
