/** Flow lint warnings (docs/exotel-protocol.md §5.5 "Flow lint warnings", §10.5 "Lint warnings"). Pure. */
import { finding, type Finding } from './finding.ts';
import type { ExomlNode } from './parse.ts';
import type { Visited } from './validate-structure.ts';

const TERMINAL = new Set(['Hangup', 'Redirect']);

export function lint(root: ExomlNode, visited: readonly Visited[]): Finding[] {
  const out: Finding[] = [];
  const top = root.children;
  const end = top.findIndex((verb) => TERMINAL.has(verb.name));
  if (end < 0) {
    out.push(finding('EXO505', `<${root.name}> never ends with <Hangup/> or <Redirect>`, root, root.path));
  } else if (end < top.length - 1) {
    const stop = top[end] as ExomlNode;
    const next = top[end + 1] as ExomlNode;
    const count = top.length - end - 1;
    out.push(
      finding('EXO501', `${count} verb(s) after <${stop.name}> on line ${stop.line} never run`, next, next.path),
    );
  }
  for (const { node, parent } of visited) {
    if (node.name === 'Gather') {
      if (!node.children.some((c) => c.name === 'Say' || c.name === 'Play')) {
        out.push(
          finding(
            'EXO502',
            '<Gather> has no <Say> or <Play>: the caller hears nothing while keys are collected',
            node,
            node.path,
          ),
        );
      }
      const digits = node.attrs.numDigits !== undefined || node.attrs.maxDigits !== undefined;
      if (!digits && !node.attrs.finishOnKey) {
        out.push(
          finding(
            'EXO503',
            '<Gather> has neither numDigits nor finishOnKey: input ends only at the timeout',
            node,
            node.path,
          ),
        );
      }
      if (node.attrs.action === undefined) out.push(finding('EXO506', '<Gather> has no action', node, node.path));
    } else if (node.name === 'Dial' && node.attrs.callerId === undefined) {
      out.push(finding('EXO504', '<Dial> has no callerId: Exotel uses the ExoPhone', node, node.path));
    } else if ((node.name === 'Say' || node.name === 'Play') && node.attrs.loop === '0' && parent?.name !== 'Gather') {
      out.push(finding('EXO507', `<${node.name} loop="0"> repeats until the caller hangs up`, node, node.path));
    }
  }
  return out;
}
