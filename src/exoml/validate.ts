/**
 * `validateExoml`: the strict ExoML linter behind `exo-passthru validate` and the simulator.
 * Parses with line:column (parse.ts), then checks the project dialect of docs/exotel-protocol.md §5.5 / §10.5.
 * Every finding carries a stable code from codes.ts. Pure: no I/O; bounded time and memory on any input
 * (parse.ts refuses oversize, binary, DOCTYPE and deep nesting before the XML parser runs).
 */
import type { Code } from './codes.ts';
import { appendFindings, finding, sortFindings, type Finding } from './finding.ts';
import { parseExoml, type ExomlNode, type ParseProblem } from './parse.ts';
import { lint } from './validate-lint.ts';
import { checkStructure } from './validate-structure.ts';

export type { Finding } from './finding.ts';

export type ValidateOptions = { allowTwimlExtras?: boolean };

export type ExomlValidation = { findings: Finding[]; root: ExomlNode | undefined };

const PROBLEM_CODES: Readonly<Record<ParseProblem, Code>> = {
  malformed: 'EXO001',
  'invalid-utf8': 'EXO002',
  encoding: 'EXO003',
  bom: 'EXO004',
  'before-prolog': 'EXO005',
  doctype: 'EXO006',
  'too-large': 'EXO007',
  'too-deep': 'EXO008',
  binary: 'EXO009',
  empty: 'EXO010',
};

export function validateExoml(input: string | Uint8Array, options: ValidateOptions = {}): ExomlValidation {
  const parsed = parseExoml(input);
  const findings: Finding[] = parsed.issues.map((issue) => finding(PROBLEM_CODES[issue.problem], issue.message, issue, ''));
  const root = parsed.root;
  if (root === undefined) return { findings: sortFindings(findings), root };
  if (parsed.declaration === undefined) {
    findings.push(finding('EXO011', 'the document has no XML declaration', { line: 1, column: 1 }, ''));
  }
  const structure = checkStructure(root, { attributePosition: parsed.attributePosition, allowExtras: options.allowTwimlExtras === true });
  appendFindings(findings, structure.findings, lint(root, structure.visited));
  return { findings: sortFindings(findings), root };
}

/** True when no finding fails at this strictness: errors always, warnings under `strict`, infos under `pedantic`. */
export function isClean(findings: readonly Finding[], strict = false, pedantic = false): boolean {
  return !findings.some((f) => failsAt(f, strict, pedantic));
}

/** Whether one finding fails the run: `pedantic` implies `strict`. */
export function failsAt(finding: Pick<Finding, 'severity'>, strict: boolean, pedantic = false): boolean {
  if (finding.severity === 'error') return true;
  if (finding.severity === 'warning') return strict || pedantic;
  return pedantic;
}
