/** How `validate` prints: `source:line:col severity code message` + an indented hint, and the summary line. */
import type { Finding } from '../../../exoml/finding.ts';
import type { SurfaceKind } from '../../../exoml/surface.ts';
import type { Output } from '../../output.ts';

export type SourceReport = { source: string; kind: SurfaceKind | null; findings: Finding[]; error?: string };

export function formatFindings(report: SourceReport, out: Output): string[] {
  const c = out.color;
  const lines: string[] = [];
  for (const f of report.findings) {
    const severity = f.severity === 'error' ? c.red('error') : c.yellow('warning');
    lines.push(`${c.bold(`${report.source}:${f.line}:${f.column}`)} ${severity} ${c.cyan(f.code)} ${f.message}`);
    if (f.hint) lines.push(`    ${c.dim('hint:')} ${f.hint}`);
  }
  return lines;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatSummary(reports: readonly SourceReport[], strict: boolean): { text: string; failed: boolean } {
  let errors = 0;
  let warnings = 0;
  let clean = 0;
  let unreachable = 0;
  for (const r of reports) {
    const e = r.findings.filter((f) => f.severity === 'error').length;
    const w = r.findings.length - e;
    errors += e;
    warnings += w;
    if (r.error !== undefined) unreachable += 1;
    else if (e === 0 && (w === 0 || !strict)) clean += 1;
  }
  const failed = errors > 0 || (strict && warnings > 0);
  const parts = [`${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(reports.length, 'source')}`, `${clean} passed`];
  if (unreachable > 0) parts.push(`${unreachable} unreachable`);
  if (strict) parts.push('--strict: warnings fail');
  return { text: parts.join('; '), failed };
}
