/** How `validate` prints: `source:line:col severity code message` + an indented hint, and the summary line. */
import type { Finding } from '../../../exoml/finding.ts';
import { failsAt } from '../../../exoml/validate.ts';
import type { SurfaceKind } from '../../../exoml/surface.ts';
import type { Output } from '../../output.ts';

export type SourceReport = { source: string; kind: SurfaceKind | null; findings: Finding[]; error?: string };

export function formatFindings(report: SourceReport, out: Output): string[] {
  const c = out.color;
  const lines: string[] = [];
  for (const f of report.findings) {
    const severity = f.severity === 'error' ? c.red('error') : f.severity === 'warning' ? c.yellow('warning') : c.dim('info');
    lines.push(`${c.bold(`${report.source}:${f.line}:${f.column}`)} ${severity} ${c.cyan(f.code)} ${f.message}`);
    if (f.hint) lines.push(`    ${c.dim('hint:')} ${f.hint}`);
  }
  return lines;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `pedantic` implies `strict`: infos fail too. */
export function formatSummary(reports: readonly SourceReport[], strict: boolean, pedantic = false): { text: string; failed: boolean } {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  let clean = 0;
  let unreachable = 0;
  let failed = false;
  for (const r of reports) {
    errors += r.findings.filter((f) => f.severity === 'error').length;
    warnings += r.findings.filter((f) => f.severity === 'warning').length;
    infos += r.findings.filter((f) => f.severity === 'info').length;
    const fails = r.findings.some((f) => failsAt(f, strict, pedantic));
    failed ||= fails;
    if (r.error !== undefined) unreachable += 1;
    else if (!fails) clean += 1;
  }
  const counts = `${plural(errors, 'error')}, ${plural(warnings, 'warning')}${infos > 0 ? `, ${infos} info` : ''}`;
  const parts = [`${counts} in ${plural(reports.length, 'source')}`, `${clean} passed`];
  if (unreachable > 0) parts.push(`${unreachable} unreachable`);
  if (pedantic) parts.push('--pedantic: warnings and infos fail');
  else if (strict) parts.push('--strict: warnings fail');
  return { text: parts.join('; '), failed };
}
