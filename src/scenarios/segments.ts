/**
 * A played call cut at its inputs: part k holds what happened after the caller's k-th input (press, no input,
 * hang up) up to and including the Gather that took the next one. An `expect` step is judged on the part the call
 * is at when the step comes. Pure.
 */
import type { CallRecord, Finding, PlayedVerb, Step } from '../simulate/types.ts';

export type Part = {
  /** Verbs played at the top level, in order (a Gather's prompts are in `said`). */
  verbs: PlayedVerb[];
  /** Everything heard: Says and Plays, prompts included. */
  heard: PlayedVerb[];
  /** The responses fetched in this part; when none, the one the call is still playing. */
  steps: Step[];
  findings: Finding[];
  /** This part ended with an input (not the end of the call). */
  input: boolean;
  last: boolean;
};

const emptyPart = (steps: Step[]): Part => ({ verbs: [], heard: [], steps, findings: [], input: false, last: false });

export function partsOf(record: CallRecord): Part[] {
  let current: Step | undefined;
  let part = emptyPart([]);
  const parts: Part[] = [part];
  /** Per part: the response being played when it began. */
  const playing: Array<Step | undefined> = [undefined];
  for (const event of record.events) {
    if (event.type === 'step') {
      current = event.step;
      part.steps.push(event.step);
    } else if (event.type === 'finding') part.findings.push(event.finding);
    else if (event.type === 'verb') {
      if (event.depth === 0) part.verbs.push(event.verb);
      if (event.verb.verb === 'Say' || event.verb.verb === 'Play') part.heard.push(event.verb);
    } else if (event.type === 'input') {
      part.input = true;
      part = emptyPart([]);
      parts.push(part);
      playing.push(current);
    }
  }
  parts.forEach((p, i) => {
    const at = playing[i];
    if (p.steps.length === 0 && at !== undefined) p.steps.push(at);
  });
  part.last = true;
  return parts;
}
