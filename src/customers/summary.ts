/** The closing note of `url --csv`: one human line for stderr, or a JSON object for `--json --out`. Pure. */
import type { UrlSummary } from './pipeline.ts';

const count = (n: number) => Math.round(n).toLocaleString('en-US');

function byKey(counts: Readonly<Record<string, number | undefined>>): string {
  return Object.entries(counts)
    .filter((entry): entry is [string, number] => entry[1] !== undefined && entry[1] > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([key, n]) => `${key} ${count(n)}`)
    .join(', ');
}

export function formatSummaryText(summary: UrlSummary): string {
  const seconds = (summary.elapsedMs / 1000).toFixed(2);
  const parts = [
    `${count(summary.rowsRead)} rows read in ${seconds} s (${count(summary.rowsPerSecond)} rows/s)`,
    `${count(summary.accepted)} accepted`,
  ];
  const rejected = byKey(summary.rejectedByReason);
  parts.push(summary.rejected > 0 ? `${count(summary.rejected)} rejected (${rejected})` : '0 rejected');
  if (summary.warnings > 0) parts.push(`${count(summary.warnings)} warnings (${byKey(summary.warningsByCode)})`);
  if (summary.emptyLines > 0) parts.push(`${count(summary.emptyLines)} empty lines skipped`);
  return `url: ${parts.join(', ')}`;
}

export type SummaryJson = {
  rowsRead: number;
  accepted: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  warnings: number;
  warningsByCode: Record<string, number>;
  emptyLines: number;
  elapsedMs: number;
  rowsPerSecond: number;
  truncated: string | null;
  out: string;
  rejects: string | null;
};

export function summaryJson(summary: UrlSummary, paths: { out: string; rejects: string | undefined }): SummaryJson {
  const compact = (counts: Readonly<Record<string, number | undefined>>) =>
    Object.fromEntries(Object.entries(counts).filter((entry): entry is [string, number] => entry[1] !== undefined));
  return {
    rowsRead: summary.rowsRead,
    accepted: summary.accepted,
    rejected: summary.rejected,
    rejectedByReason: compact(summary.rejectedByReason),
    warnings: summary.warnings,
    warningsByCode: compact(summary.warningsByCode),
    emptyLines: summary.emptyLines,
    elapsedMs: Math.round(summary.elapsedMs * 10) / 10,
    rowsPerSecond: Math.round(summary.rowsPerSecond),
    truncated: summary.truncated ?? null,
    out: paths.out,
    rejects: paths.rejects ?? null,
  };
}
