/**
 * The Greeting applet's dynamic URL body (docs/exotel-protocol.md §4, §10.2 item 9): text to speak, or audio file
 * URLs one per line (.wav 8 kHz mono 16-bit, or .mp3). Exotel speaks the body as it is. Pure.
 */
import { finding, type Finding } from './finding.ts';
import type { Locator } from './json-locate.ts';
import { isAudioPath, urlShape } from './urls.ts';

const MAX_GREETING_CHARACTERS = 4096;

function looksLikeJson(text: string): boolean {
  if (!/^[[{]/.test(text)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function checkGreeting(body: string, loc: Locator): Finding[] {
  const text = body.replace(/^\uFEFF/, '').trim();
  const start = loc([]);
  if (text === '') return [finding('EXO621', 'the Greeting body is empty', { line: 1, column: 1 }, '$')];
  if (text.startsWith('<') || looksLikeJson(text)) {
    const what = text.startsWith('<') ? 'XML/HTML' : 'JSON';
    return [finding('EXO622', `the Greeting body is ${what}; Exotel would read it aloud`, start, '$')];
  }
  const lines: Array<{ text: string; offset: number; index: number }> = [];
  let offset = 0;
  body.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed !== '') lines.push({ text: trimmed, offset: offset + raw.indexOf(trimmed), index });
    offset += raw.length + 1;
  });
  const urls = lines.filter((l) => urlShape(l.text) === 'absolute');
  if (urls.length === 0) {
    return [...text].length > MAX_GREETING_CHARACTERS
      ? [finding('EXO624', `the Greeting text is over ${MAX_GREETING_CHARACTERS} characters`, start, '$')]
      : [];
  }
  const stray = lines.find((l) => urlShape(l.text) !== 'absolute');
  if (stray) {
    return [finding('EXO623', `line ${stray.index + 1} is text, but other lines are audio URLs`, loc.at(stray.offset), `$[${stray.index}]`)];
  }
  return urls
    .filter((l) => !isAudioPath(l.text))
    .map((l) => finding('EXO303', `audio URL ${JSON.stringify(l.text.slice(0, 80))} does not end in .wav or .mp3`, loc.at(l.offset), `$[${l.index}]`));
}
