/**
 * `npm run bench:cli` (after the url --csv benchmark): `validate --strict` over many small ExoML files in one
 * run, against fast-xml-parser alone on the same files.
 *
 * BENCH_DOCS (default 5,000) documents of about one kilobyte are generated into a temporary directory: menus,
 * agent transfers and goodbyes, most clean, some with warnings or errors, so findings are exercised too. Then,
 * each in its own child process on the same Node:
 * - baseline: read every file, XMLValidator.validate, then XMLParser.parse (ordered, attributes, metadata: the
 *   options src/exoml/parse.ts uses), nothing else;
 * - validate: the real CLI, `bin/exo-passthru.js validate --strict '<dir>/*.xml'` (built dist/, as users run it;
 *   the glob is expanded by the tool, as when the shell leaves it quoted), stdout to /dev/null.
 * Each is run twice (BENCH_REPEAT) and the range is printed; the ratio is validate's documents/s over the
 * baseline's, best against best (target ≥ 0.5).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/exo-passthru.js', import.meta.url));

const NAMES = ['Riddhi', 'रिद्धि', 'சுரேஷ்', 'శ్రీనివాస్', 'ಅನಿತಾ', 'অনিন্দ্য', 'Suresh &amp; Co', 'ਗੁਰਪ੍ਰੀਤ'];
const LANGUAGES = ['en', 'hi', 'ta', 'te', 'kn', 'bn', 'en', 'pa'];

/** Document i, padded with a comment to about 1 KB; every 10th has a warning, every 50th an error. */
function document(i: number): string {
  const name = NAMES[i & 7];
  const language = LANGUAGES[i & 7];
  const base = `https://bot.example.com/b${i % 97}`;
  const warn = i % 10 === 9;
  const error = i % 50 === 49;
  let body: string;
  switch (i % 3) {
    case 0:
      body = `  <Gather action="${base}/gather-response?CallSid=c${i}" method="POST" timeout="10" numDigits="1"${warn ? '' : ' finishOnKey="#"'}>
    <Say voice="woman" language="${language}">Namaste ${name}, your payment of Rs. ${1000 + i} is due. Press 1 to pay now, 2 to talk to an agent.</Say>
    <Play>https://cdn.example.com/prompts/menu-${language}.wav</Play>
  </Gather>
  <Say voice="woman" language="${language}">We did not get your choice.</Say>
  <Redirect method="GET">${base}/passthru-handler?retry=1&amp;CallSid=c${i}</Redirect>`;
      break;
    case 1:
      body = `  <Say voice="${error ? 'female' : 'man'}" language="${language}">Connecting you to an agent, ${name}. Please hold.</Say>
  <Dial${warn ? '' : ' callerId="08039513882"'} timeout="30" record="true" action="${base}/dial-status">
    <Number>+919876543${String(i % 1000).padStart(3, '0')}</Number>
  </Dial>
  <Hangup/>`;
      break;
    default:
      body = `  <Say voice="woman" language="${language}" loop="1">Thank you ${name}. Your reference is ${i}.</Say>
  <Play loop="${warn ? 0 : 1}">https://cdn.example.com/prompts/goodbye-${language}.mp3</Play>
  <Hangup/>`;
  }
  const head = `<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n${body}\n`;
  const tail = '</Response>\n';
  const pad = Math.max(0, 1024 - Buffer.byteLength(head + tail, 'utf8') - 10);
  return `${head}  <!-- ${'x'.repeat(pad)} -->\n${tail}`;
}

const BASELINE = `import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
const dir = process.argv[1];
const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false,
  parseTagValue: false, trimValues: false, captureMetaData: true, processEntities: true, htmlEntities: false });
let documents = 0;
for (const name of readdirSync(dir).sort()) {
  if (!name.endsWith('.xml')) continue;
  const text = readFileSync(join(dir, name), 'utf8');
  if (XMLValidator.validate(text) === true) parser.parse(text);
  documents += 1;
}
process.stdout.write(JSON.stringify({ documents }));`;

type Measure = { seconds: number; documentsPerSecond: number };

async function measure(kind: 'baseline' | 'validate', dir: string, docs: number): Promise<Measure> {
  const args =
    kind === 'baseline'
      ? ['--input-type=module', '-e', BASELINE, dir]
      : [BIN, 'validate', '--strict', join(dir, '*.xml')];
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const [code] = (await once(child, 'close')) as [number | null];
  const seconds = (performance.now() - started) / 1000;
  if (kind === 'baseline') {
    const { documents } = JSON.parse(stdout) as { documents: number };
    if (code !== 0 || documents !== docs) throw new Error(`baseline exited ${code} after ${documents} documents: ${stderr.slice(-2000)}`);
  } else {
    // --strict: the warnings planted above fail the run (exit 1); the summary names every source.
    const summary = /in (\d+) sources?/.exec(stderr);
    if (code !== 1 || Number(summary?.[1]) !== docs) throw new Error(`validate exited ${code}: ${stderr.slice(-2000)}`);
  }
  return { seconds, documentsPerSecond: docs / seconds };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const docs = Number(process.env.BENCH_DOCS ?? 5000);
const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 2));
const dir = await mkdtemp(join(tmpdir(), 'exo-bench-validate-'));
try {
  for (let i = 0; i < docs; i++) await writeFile(join(dir, `doc-${String(i).padStart(5, '0')}.xml`), document(i));
  console.log(`validate --strict: ${fmt(docs)} ExoML files of ~1 KB in one run, ${repeat} runs each`);
  const runs: Record<'baseline' | 'validate', Measure[]> = { baseline: [], validate: [] };
  for (let r = 0; r < repeat; r++) {
    for (const kind of ['baseline', 'validate'] as const) runs[kind].push(await measure(kind, dir, docs));
  }
  const best = (ms: Measure[]) => Math.max(...ms.map((m) => m.documentsPerSecond));
  const range = (ms: Measure[]) => {
    const rates = ms.map((m) => m.documentsPerSecond);
    const times = ms.map((m) => m.seconds);
    return `${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))} docs/s  ${Math.min(...times).toFixed(2)}–${Math.max(...times).toFixed(2)} s`;
  };
  console.log(`  baseline  fast-xml-parser validate + parse  ${range(runs.baseline)}`);
  console.log(`  validate  exo-passthru validate --strict    ${range(runs.validate)}`);
  console.log(`  ratio     validate / baseline docs/s (target ≥ 0.5): ${(best(runs.validate) / best(runs.baseline)).toFixed(3)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
