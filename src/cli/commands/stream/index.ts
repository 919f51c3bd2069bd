/**
 * `exo-passthru stream <url>`: play Exotel's side of a Voicebot WebSocket (docs/exotel-protocol.md §6.3) against
 * a bot, and report latency, barge-in handling, rule breaks and a timeline. Flags, files and the exit code live
 * here; the stream itself is src/stream/ (over the network only). `ws` and undici load inside the action.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Command } from 'commander';
import { CheckFailedError, EXIT, ioMessage, UnreachableError, UsageError } from '../../../errors.ts';
import { customParamsProblem, type StartInfo } from '../../../exotel/voicebot.ts';
import { checkExpectations } from '../../../stream/expect.ts';
import type { StreamResult } from '../../../stream/session.ts';
import { parseWav, wavFile } from '../../../util/pcm.ts';
import type { CliContext } from '../../context.ts';
import { parseCustom, parseDtmf, parseExpect, parseTime } from './flags.ts';
import { renderReport } from './view.ts';

type StreamOptions = {
  audio?: string;
  dtmf?: string;
  record?: string;
  duration: string;
  idle: string;
  custom: string[];
  from: string;
  to: string;
  callSid?: string;
  fast?: boolean;
  realtime?: boolean;
  expect: string[];
  timeout: string;
};

const HELP = `
Plays Exotel's side of the Voicebot applet's WebSocket: resolves an http(s) applet URL to its ws(s) URL (GET with
Exotel-Version: 1.0, answer {"url": "ws(s)://…"}) or takes a ws(s) URL as is; sends connected and start (custom
parameters are the stream URL's query, at most 3 and 256 characters); streams the caller's audio as 20 ms media
frames of 8 kHz 16-bit mono PCM (silence after the file); sends dtmf at their times; plays the bot's audio in call
time, answering each mark once the audio before it has played and dropping queued audio on clear; sends stop.

--audio: a WAV file, 16-bit PCM, 8 kHz or 16 kHz (halved), mono or stereo (mixed). Anything else is refused.
--fast skips the waits while there is audio to send or play; the wait for the bot's answer to the caller's speech
stays real, so latency holds. The call ends after --duration, or once audio and keys are sent, nothing plays and
neither side has done anything for --idle.

--expect (repeatable): audio | latency<1500ms | clear-on-barge-in

Ctrl-C (SIGINT/SIGTERM) ends the call as a caller hanging up: stop (reason callended) is sent, the socket closed,
the report printed (--record written), and the exit is 1, as for an interrupted url --csv or simulate campaign.

Exit: 0 ok · 1 a protocol violation by the bot, a failed --expect, or interrupted · 2 usage · 3 the bot is
unreachable.

Examples:
  $ exo-passthru stream http://127.0.0.1:8000/exotel/voicebot --dtmf "1@2s" --record bot.wav
  $ exo-passthru stream wss://bot.example.com/media --audio caller.wav --expect latency<1500ms --expect audio
  $ exo-passthru stream ws://127.0.0.1:5001/media --custom lang=hi --fast --json | jq .violations`;

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerStream(program: Command, ctx: CliContext): Command {
  return program
    .command('stream <url>')
    .description(
      "play Exotel's side of a Voicebot WebSocket against a bot: audio, keys, marks, clear; report latency and rule breaks",
    )
    .option('--audio <wav>', "the caller's audio (WAV)")
    .option('--dtmf <keys>', 'keys and when to press them: "1@3s,#@5s"')
    .option('--record <wav>', "write the bot's audio, as played, to this WAV file")
    .option('--duration <time>', 'the longest call', '30s')
    .option('--idle <time>', 'hang up after this long with nothing happening, once audio and keys are sent', '2s')
    .option('--custom <k=v>', 'a custom parameter for start.custom_parameters (repeatable, at most 3)', collect, [])
    .option('--from <number>', 'start.from: the caller', '09876543210')
    .option('--to <number>', 'start.to: the ExoPhone', '08047112233')
    .option('--call-sid <sid>', 'start.call_sid (default: random)')
    .option('--realtime', 'send and play audio in real time (the default)')
    .option('--fast', 'skip the waits while audio is sent or played')
    .option('--expect <check>', 'an expectation (repeatable; see below)', collect, [])
    .option('--timeout <time>', 'time to resolve the URL and open the socket', '5s')
    .addHelpText('after', HELP)
    .action(async (url: string, options: StreamOptions) => runStream(ctx, url, options));
}

async function callerAudio(ctx: CliContext, file: string | undefined): Promise<Buffer> {
  if (file === undefined) return Buffer.alloc(0);
  let bytes: Buffer;
  try {
    bytes = await readFile(isAbsolute(file) ? file : join(ctx.io.cwd, file));
  } catch (error) {
    throw new UsageError(`cannot read --audio ${file}: ${ioMessage(error)}`, { cause: error });
  }
  const wav = parseWav(bytes);
  if (!wav.ok)
    throw new UsageError(`--audio ${file}: ${wav.reason}`, {
      hint: 'convert it first, e.g. sox in.wav -r 8000 -c 1 -b 16 caller.wav',
    });
  return wav.pcm;
}

function withCustom(
  wsUrl: string,
  pairs: ReadonlyArray<[string, string]>,
): { url: string; custom: Record<string, string> } {
  const url = new URL(wsUrl);
  for (const [k, v] of pairs) url.searchParams.append(k, v);
  const problem = customParamsProblem(url.search.replace(/^\?/, ''));
  if (problem) throw new UsageError(`custom parameters: ${problem}`);
  return { url: url.toString(), custom: Object.fromEntries(url.searchParams) };
}

async function connect(raw: string, pairs: ReadonlyArray<[string, string]>, timeoutMs: number) {
  if (!URL.canParse(raw) || !/^(https?|wss?):$/.test(new URL(raw).protocol))
    throw new UsageError(`the URL must be an absolute ws(s) or http(s) URL, got ${JSON.stringify(raw)}`);
  const { resolveStreamUrl, openStreamSocket } = await import('../../../stream/connect.ts');
  const resolved = await resolveStreamUrl(raw, timeoutMs);
  if (!resolved.ok)
    throw resolved.unreachable ? new UnreachableError('bot', resolved.reason) : new CheckFailedError(resolved.reason);
  const target = withCustom(resolved.url, pairs);
  const opened = await openStreamSocket(target.url, timeoutMs);
  if (!opened.ok) throw new UnreachableError('bot', `cannot open ${target.url}: ${opened.reason}`);
  return { ...target, socket: opened.socket };
}

async function runStream(ctx: CliContext, rawUrl: string, options: StreamOptions): Promise<void> {
  if (options.fast && options.realtime) throw new UsageError('--fast and --realtime exclude each other');
  const dtmf = parseDtmf(options.dtmf);
  const expectations = options.expect.map(parseExpect);
  const durationMs = parseTime('--duration', options.duration);
  const idleMs = parseTime('--idle', options.idle);
  const timeoutMs = parseTime('--timeout', options.timeout);
  const audio = await callerAudio(ctx, options.audio);
  const target = await connect(rawUrl, parseCustom(options.custom), timeoutMs);
  const info: StartInfo = {
    streamSid: randomBytes(16).toString('hex'),
    callSid: options.callSid ?? randomBytes(16).toString('hex'),
    accountSid: 'exo-passthru',
    from: options.from,
    to: options.to,
    customParameters: target.custom,
  };
  const [{ playStream }, { createClock }] = await Promise.all([
    import('../../../stream/session.ts'),
    import('../../../stream/clock.ts'),
  ]);
  // Ctrl-C ends the call the way Exotel would (stop, then close) and still reports what was played.
  const abort = new AbortController();
  let interruptedBy: string | undefined;
  const unsubscribe = ctx.io.onSignal((signal) => {
    interruptedBy ??= signal;
    abort.abort();
  });
  let result: StreamResult;
  try {
    result = await playStream({
      url: target.url,
      socket: target.socket,
      clock: createClock(),
      fast: options.fast === true,
      audio,
      dtmf,
      info,
      durationMs,
      idleMs,
      signal: abort.signal,
    });
  } finally {
    unsubscribe();
  }
  await finish(ctx, result, options.record, checkExpectations(result.report, expectations));
  // A signal after the call had ended on its own interrupted nothing: the run stands as it finished.
  if (result.report.stopReason === 'interrupted')
    throw new CheckFailedError(
      `interrupted by ${interruptedBy ?? 'a signal'}: stop was sent; the report covers the ${result.report.durationMs} ms played`,
    );
}

async function finish(
  ctx: CliContext,
  result: StreamResult,
  record: string | undefined,
  expectations: ReturnType<typeof checkExpectations>,
): Promise<void> {
  if (record !== undefined) {
    try {
      await writeFile(isAbsolute(record) ? record : join(ctx.io.cwd, record), wavFile(result.recording));
    } catch (error) {
      throw new UsageError(`cannot write --record ${record}: ${ioMessage(error)}`, { cause: error });
    }
  }
  const out = ctx.output();
  if (out.json)
    out.printJson({ ...result.report, expectations, ...(record === undefined ? {} : { recording: record }) });
  else renderReport(out, result.report, expectations);
  const failed = result.report.violations.length > 0 || expectations.some((e) => !e.ok);
  ctx.setExitCode(failed ? EXIT.checkFailed : EXIT.ok);
}
