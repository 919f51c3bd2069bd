/**
 * `serve --record <dir>`: every call serve answers saved as one scenario file (from-exchanges.ts) that `test`
 * replays. It listens to the exchange log and keeps each open call's exchanges itself, so a busy server whose ring
 * lets old exchanges go still records whole calls. A call is written when an answer ends it (Hangup, a Dial the call
 * leaves with, an error, the StatusCallback); calls still open are written at close. The file is named after the
 * time and a hash of the CallSid, never a phone number. A failed write is logged and the server goes on.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../errors.ts';
import { isExomlExchange } from './exchange-call.ts';
import { callTag, endsCall, type RecordedExchange, scenarioFromExchanges } from './from-exchanges.ts';

type Exchange = RecordedExchange & { callSid: string | undefined; at: string };

export type CallRecorderOptions = {
  dir: string;
  /** Keep phone numbers and names (default: placeholders). */
  pii: boolean;
  /** Where serve is reached, for each scenario's url:. */
  origin: string;
  exchanges: { subscribe: (listener: (exchange: Exchange) => void) => () => void };
  log: { info: (message: string) => void; error: (message: string, error?: unknown) => void };
  /** Default: writeFile that refuses to overwrite. */
  write?: (path: string, text: string) => Promise<void>;
};

export type CallRecorder = {
  /** Files written so far, oldest first. */
  written: () => string[];
  /** Stop listening, write the calls still open, and wait for every write. Never rejects. */
  close: () => Promise<void>;
};

/** A call that never ends (a loop, a lost StatusCallback) stops growing here rather than filling memory. */
const MAX_EXCHANGES_PER_CALL = 200;
/** Open calls kept at once; past it the oldest is written as it stands. */
const MAX_OPEN_CALLS = 1000;

const stamp = (at: string) => at.slice(0, 19).replace(/[-:]/g, '').replace('T', '-');

export function startCallRecorder(options: CallRecorderOptions): CallRecorder {
  const write = options.write ?? ((path: string, text: string) => writeFile(path, text, { flag: 'wx' }));
  const open = new Map<string, Exchange[]>();
  const names = new Set<string>();
  const written: string[] = [];
  let pending: Promise<void> = Promise.resolve();

  const fileName = (callSid: string, at: string) => {
    const base = `${stamp(at)}-${callTag(callSid)}`;
    let name = `${base}.yaml`;
    for (let n = 2; names.has(name); n++) name = `${base}-${n}.yaml`;
    names.add(name);
    return name;
  };

  const save = (callSid: string) => {
    const exchanges = open.get(callSid);
    open.delete(callSid);
    if (exchanges === undefined) return;
    const first = exchanges[0];
    const made = scenarioFromExchanges(callSid, exchanges, {
      origin: options.origin,
      pii: options.pii,
      ...(first ? { at: new Date(first.at) } : {}),
      by: 'exo-passthru serve --record',
    });
    if (!made.ok || first === undefined) return;
    const path = join(options.dir, fileName(callSid, first.at));
    pending = pending.then(async () => {
      try {
        await write(path, made.yaml);
        written.push(path);
        options.log.info(`recorded call ${callTag(callSid)} as ${path}`);
      } catch (error) {
        options.log.error(`could not record call ${callTag(callSid)} as ${path}: ${errorMessage(error)}`);
      }
    });
  };

  const hear = (exchange: Exchange) => {
    const sid = exchange.callSid;
    if (sid === undefined) return;
    let exchanges = open.get(sid);
    if (exchanges === undefined) {
      // Only an ExoML webhook opens a call: a StatusCallback after the call was written, or an applet, does not.
      if (!isExomlExchange(exchange)) return;
      if (open.size >= MAX_OPEN_CALLS) {
        const oldest = open.keys().next().value;
        if (oldest !== undefined) save(oldest);
      }
      exchanges = [];
      open.set(sid, exchanges);
    }
    if (exchanges.length < MAX_EXCHANGES_PER_CALL) exchanges.push(exchange);
    if (endsCall(exchange)) save(sid);
  };
  // The exchange log drops a listener that throws: whatever one exchange does, the recorder keeps listening.
  const unsubscribe = options.exchanges.subscribe((exchange) => {
    try {
      hear(exchange);
    } catch (error) {
      const sid = exchange.callSid;
      if (sid !== undefined) open.delete(sid);
      options.log.error(`could not record call ${sid === undefined ? '-' : callTag(sid)}: ${errorMessage(error)}`);
    }
  });

  let closing: Promise<void> | undefined;
  return {
    written: () => [...written],
    close: () =>
      (closing ??= (async () => {
        unsubscribe();
        for (const sid of [...open.keys()]) save(sid);
        await pending;
      })()),
  };
}
