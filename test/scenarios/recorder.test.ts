/**
 * The call recorder behind `serve --record` (src/scenarios/recorder.ts) on a real server's exchange log: the
 * StatusCallback ends a call left at the menu, a second call on the same CallSid gets its own file, a failed write
 * is logged and the next call is still written, and close() writes the calls still open.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCallRecorder, type CallRecorder } from '../../src/scenarios/recorder.ts';
import { pollUntil } from '../support/services.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const PASSTHRU = 'customer_id=r1&customer_name=Asha+Verma&CallFrom=09812312345';

describe('call recorder', () => {
  let server: TestServer;
  let dir: string;
  const lines: string[] = [];
  let failNext = false;
  let recorder: CallRecorder;

  before(async () => {
    server = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'exo-recorder-'));
    recorder = startCallRecorder({
      dir,
      pii: false,
      origin: server.url,
      exchanges: server.exchanges,
      log: { info: (m) => lines.push(m), error: (m) => lines.push(`error: ${m}`) },
      write: async (path, text) => {
        if (failNext) {
          failNext = false;
          throw new Error('disk full');
        }
        await writeFile(path, text, { flag: 'wx' });
      },
    });
  });
  after(async () => {
    await recorder.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const greet = async (sid: string, extra = '') => {
    const res = await fetch(`${server.url}/passthru-handler?CallSid=${sid}&${PASSTHRU}${extra}`);
    assert.equal(res.status, 200);
    return res.text();
  };
  const statusCallback = async (sid: string) => {
    const res = await fetch(`${server.url}/exotel/status-callback`, {
      method: 'POST',
      body: new URLSearchParams({ CallSid: sid, Status: 'completed' }),
    });
    assert.equal(res.status, 200);
    await res.text();
  };
  const written = () => recorder.written().length;

  it('writes a call left at the menu when its StatusCallback comes, and nothing for a second callback', async () => {
    await greet('rec-scb-1');
    assert.equal(written(), 0, 'the call is open: nothing written yet');
    await statusCallback('rec-scb-1');
    await pollUntil(async () => written() === 1, { timeoutMs: 5000, message: 'the call written' });
    await statusCallback('rec-scb-1');
    const text = await readFile(recorder.written()[0] ?? '', 'utf8');
    assert.match(text, /- hangup: null/);
    assert.doesNotMatch(text, /Asha|9812312345/);
    assert.equal(written(), 1);
  });

  it('gives a second call on the same CallSid (the Passthru after a Connect) its own file', async () => {
    const params = '&DialCallStatus=completed&DialCallDuration=12&DialWhomNumber=07417119014';
    await greet('rec-twice-1', params);
    await greet('rec-twice-1', params);
    await pollUntil(async () => written() === 3, { timeoutMs: 5000, message: 'both calls written' });
    const [a = '', b = ''] = recorder.written().slice(1);
    assert.notEqual(a, b);
    // Same CallSid: same hash; within the same second the second file takes a -2.
    const stem = (path: string) => /(\d{8}-\d{6}-[0-9a-f]{10})(-2)?\.yaml$/.exec(path);
    assert.equal(stem(a)?.[1]?.slice(-10), stem(b)?.[1]?.slice(-10));
    if (stem(a)?.[1] === stem(b)?.[1]) assert.equal(stem(b)?.[2], '-2');
  });

  it('logs a write that fails and still writes the next call', async () => {
    failNext = true;
    const before = written();
    await greet('rec-fail-1');
    await statusCallback('rec-fail-1');
    await pollUntil(
      async () => lines.some((l) => /^error: could not record call [0-9a-f]{10} as .*: disk full$/.test(l)),
      {
        timeoutMs: 5000,
        message: 'the failure logged',
      },
    );
    await greet('rec-after-1');
    await statusCallback('rec-after-1');
    await pollUntil(async () => written() === before + 1, { timeoutMs: 5000, message: 'the next call written' });
    assert.ok(
      lines.every((l) => !l.includes('rec-') && !l.includes('9812312345')),
      lines.join('\n'),
    );
  });

  it('writes the calls still open at close, then hears nothing more', async () => {
    const before = written();
    await greet('rec-open-1');
    await greet('rec-open-2');
    await recorder.close();
    assert.equal(written(), before + 2);
    await greet('rec-late-1');
    await statusCallback('rec-late-1');
    assert.equal(written(), before + 2);
    assert.equal((await readdir(dir)).length, before + 2);
  });
});

describe('call recorder on bad input', () => {
  it('records what a phone would make of broken answers, and keeps listening', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'exo-recorder-bad-'));
    try {
      let listener: ((exchange: never) => void) | undefined;
      const lines: string[] = [];
      const recorder = startCallRecorder({
        dir,
        pii: false,
        origin: 'http://127.0.0.1:1',
        exchanges: {
          subscribe: (l) => {
            listener = l as (exchange: never) => void;
            return () => {};
          },
        },
        log: { info: (m) => lines.push(m), error: (m) => lines.push(`error: ${m}`) },
      });
      const base = {
        method: 'GET',
        query: {},
        body: undefined,
        contentType: 'text/xml',
        ms: 1,
        at: new Date().toISOString(),
      };
      const hear = (exchange: object) => listener?.(exchange as never);
      hear({ ...base, callSid: 'bad-1', path: '/passthru-handler', status: 500, response: '<Response>' });
      hear({ ...base, callSid: 'bad-2', path: '/passthru-handler', status: 200, response: '\u0000\u0001not xml' });
      hear({
        ...base,
        callSid: 'bad-3',
        path: '//evil.example/x',
        status: 200,
        response: '<Response><Gather/></Response>',
      });
      hear({ ...base, callSid: undefined, path: '/passthru-handler', status: 200, response: '<Response/>' });
      hear({ ...base, callSid: 'bad-4', path: '/exotel/status-callback', status: 200, response: '{}' });
      await recorder.close();
      const files = await readdir(dir);
      assert.equal(files.length, 3, lines.join('\n'));
      const texts = await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')));
      assert.ok(texts.some((t) => /status: 500/.test(t)));
      // Every url: on the server's own origin, whatever path the request named.
      assert.ok(
        texts.every((t) => /^url: http:\/\/127\.0\.0\.1:1\//m.test(t)),
        texts.join('\n'),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
