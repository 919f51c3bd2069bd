/** `exo-passthru validate` in-process (runCli): files, globs, stdin, --json, --strict, exit codes, URLs on a real server. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../support/cli.ts';
import { closedPort } from '../support/services.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const cli = (args: string[], options: Parameters<typeof runCli>[1] = {}) => runCli(args, { cwd: ROOT, ...options });
const GOOD =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Say voice="woman" language="hi">नमस्ते</Say>\n  <Hangup/>\n</Response>\n';
const WARN = 'fixtures/exoml/invalid/EXO204-bcp47-language.xml';
const ERR = 'fixtures/exoml/invalid/EXO202-voice-female.xml';

type JsonReport = Array<{ source: string; kind: string; findings: Array<Record<string, unknown>>; error?: string }>;

describe('validate: files and stdin', () => {
  it('a clean file → exit 0, nothing on stdout, a summary on stderr', async () => {
    const res = await cli(['validate', 'fixtures/exoml/valid/hindi-payment-reminder.xml', '--strict']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /0 errors, 0 warnings in 1 source; 1 passed/);
  });

  it('an error → exit 1 with file:line:col severity code message and an indented hint', async () => {
    const res = await cli(['validate', ERR]);
    assert.equal(res.code, 1);
    assert.match(
      res.stdout,
      /^fixtures\/exoml\/invalid\/EXO202-voice-female\.xml:4:8 error EXO202 <Say> voice="female"/m,
    );
    assert.match(res.stdout, /^ {4}hint: use woman\/man: voice="woman"$/m);
    assert.doesNotMatch(res.stdout, /\u001b\[/);
  });

  it('a warning passes, and fails under --strict', async () => {
    const plain = await cli(['validate', WARN]);
    assert.equal(plain.code, 0);
    assert.match(plain.stdout, /:4:\d+ warning EXO204 .*short code "ta"/);
    const strict = await cli(['validate', WARN, '--strict']);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /--strict: warnings fail/);
  });

  it('several files, each reported under its own name', async () => {
    const res = await cli(['validate', ERR, WARN, 'fixtures/exoml/valid/sip-dial.xml']);
    assert.equal(res.code, 1);
    assert.match(res.stdout, /EXO202-voice-female\.xml:4:8 error EXO202/);
    assert.match(res.stdout, /EXO204-bcp47-language\.xml:4:\d+ warning EXO204/);
    assert.match(res.stderr, /1 error, 1 warning in 3 sources; 2 passed/);
  });

  it('a glob the shell did not expand', async () => {
    const res = await cli(['validate', 'fixtures/exoml/valid/*.xml', '--strict']);
    assert.equal(res.code, 0, res.stdout);
    assert.match(res.stderr, /in (\d+) sources; \1 passed/);
    const none = await cli(['validate', 'fixtures/exoml/valid/*.nothing']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no file matches/);
  });

  it("'-' reads stdin as bytes (invalid UTF-8 is reported, not mangled)", async () => {
    const ok = await cli(['validate', '-', '--strict'], { stdin: GOOD });
    assert.equal(ok.code, 0, ok.stdout);
    const bad = await cli(['validate', '-'], { stdin: Buffer.from([0x3c, 0x52, 0xff, 0x3e]) });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /^<stdin>:1:1 error EXO002/m);
  });

  it('--json prints [{source, kind, findings}] and nothing else on stdout', async () => {
    const res = await cli(['--json', 'validate', ERR, 'fixtures/json/EXO611-connect-empty-numbers-L3.json']);
    assert.equal(res.code, 1);
    const report = JSON.parse(res.stdout) as JsonReport;
    assert.deepEqual(
      report.map((r) => [r.source, r.kind]),
      [
        [ERR, 'exoml'],
        ['fixtures/json/EXO611-connect-empty-numbers-L3.json', 'connect-json'],
      ],
    );
    assert.deepEqual(Object.keys(report[0]?.findings[0] ?? {}).sort(), [
      'code',
      'column',
      'hint',
      'line',
      'message',
      'path',
      'severity',
    ]);
    assert.equal(report[0]?.findings[0]?.code, 'EXO202');
    assert.equal(report[1]?.findings[0]?.code, 'EXO611');
  });

  it('--kind overrides detection; a bad --kind is a usage error', async () => {
    const greeting = await cli(['validate', '--kind', 'greeting', 'fixtures/json/valid/greeting-telugu-text.txt']);
    assert.equal(greeting.code, 0, greeting.stdout);
    const asGreeting = await cli(['validate', '--kind', 'greeting', 'fixtures/exoml/valid/hangup-only.xml']);
    assert.match(asGreeting.stdout, /EXO622/);
    const bad = await cli(['validate', '--kind', 'twiml', ERR]);
    assert.equal(bad.code, 2);
  });

  it('--allow-twiml-extras accepts <Pause>', async () => {
    const doc = GOOD.replace('<Hangup/>', '<Pause length="2"/>\n  <Hangup/>');
    assert.equal((await cli(['validate', '-'], { stdin: doc })).code, 1);
    assert.equal((await cli(['validate', '-', '--strict', '--allow-twiml-extras'], { stdin: doc })).code, 0);
  });

  it('usage errors exit 2: missing file, directory, no sources, bad --timeout', async () => {
    const missing = await cli(['validate', 'nope.xml']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read nope\.xml: no such file or directory/);
    assert.equal((await cli(['validate', 'fixtures/exoml/valid'])).code, 2);
    assert.equal((await cli(['validate'])).code, 2);
    assert.equal((await cli(['validate', ERR, '--timeout', 'soon'])).code, 2);
  });

  it('colour only on a terminal and without NO_COLOR', async () => {
    const tty = await cli(['validate', ERR], { tty: true, env: { NO_COLOR: undefined } });
    assert.match(tty.stdout, /\u001b\[31merror/);
    const noColor = await cli(['validate', ERR], { tty: true });
    assert.doesNotMatch(noColor.stdout, /\u001b\[/);
  });

  it('--help shows examples and exit codes', async () => {
    const res = await cli(['validate', '--help']);
    assert.equal(res.code, 0);
    assert.match(res.stdout, /Examples:\n {2}\$ exo-passthru validate response\.xml/);
    assert.match(res.stdout, /docs\/exoml-codes\.md/);
    assert.match(res.stdout, /3 {2}a dependency is unreachable/);
  });
});

describe('validate: URLs, fetched like Exotel', () => {
  let server: Server;
  let base: string;
  const seen: Array<{ method: string; url: URL; headers: IncomingMessage['headers'] }> = [];
  before(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      seen.push({ method: req.method ?? '', url, headers: req.headers });
      const send = (status: number, type: string | undefined, body: string, extra: Record<string, string> = {}) => {
        res.writeHead(status, { ...(type ? { 'content-type': type } : {}), ...extra });
        res.end(req.method === 'HEAD' ? undefined : body);
      };
      if (url.pathname === '/good') return send(200, 'text/xml; charset=utf-8', GOOD);
      if (url.pathname === '/500') return send(500, 'text/xml', GOOD);
      if (url.pathname === '/html') return send(200, 'text/html', GOOD);
      if (url.pathname === '/error-page')
        return send(
          500,
          'text/html; charset=utf-8',
          '<!DOCTYPE html><html><body><h1>Internal Server Error<br></h1></body></html>',
        );
      if (url.pathname === '/moved') return send(302, 'text/plain', '', { location: '/good' });
      if (url.pathname === '/gather')
        return send(
          200,
          'application/json',
          JSON.stringify({
            gather_prompt: { text: '1 दबाएँ' },
            max_input_digits: 1,
            finish_on_key: '#',
            input_timeout: 5,
          }),
        );
      if (url.pathname === '/greeting')
        return send(200, req.method === 'HEAD' ? 'text/plain' : 'text/plain; charset=utf-8', 'नमस्ते');
      if (url.pathname === '/hang') return; // never answers
      send(404, 'text/plain', 'not found');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  it('good ExoML → exit 0; the request carried Exotel-shaped parameters and kept the URL query', async () => {
    const res = await cli(['validate', `${base}/good?key=s3cret`, '--strict']);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    const req = seen.findLast((s) => s.url.pathname === '/good');
    assert.equal(req?.method, 'GET');
    const q = req?.url.searchParams;
    assert.equal(q?.get('key'), 's3cret');
    // Shaped like the captures: hex CallSid but its last character, no CallStatus, RFC-like Created, flow_id.
    assert.match(q?.get('CallSid') ?? '', /^[0-9a-f]{31}[0-9a-z]$/);
    assert.equal(q?.get('CallStatus'), null);
    assert.equal(q?.get('Direction'), 'outbound-dial');
    assert.match(q?.get('CallFrom') ?? '', /^0\d{10}$/);
    assert.match(q?.get('Created') ?? '', /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}$/);
    assert.equal(q?.get('flow_id'), '68135');
    assert.equal(q?.get('EndTime'), '1970-01-01 05:30:00');
  });

  it('--method POST sends the parameters as a form', async () => {
    const res = await cli(['validate', `${base}/good`, '--method', 'POST']);
    assert.equal(res.code, 0, res.stdout);
    assert.equal(seen.findLast((s) => s.url.pathname === '/good')?.method, 'POST');
  });

  it('HTTP 500 → EXO701, exit 1', async () => {
    const res = await cli(['validate', `${base}/500`]);
    assert.equal(res.code, 1);
    assert.match(res.stdout, new RegExp(`^${base}/500:1:1 error EXO701 HTTP 500`, 'm'));
  });

  it('wrong Content-Type → EXO703', async () => {
    const res = await cli(['validate', `${base}/html`]);
    assert.equal(res.code, 1);
    assert.match(res.stdout, /error EXO703 Content-Type "text\/html"; expected text\/xml or application\/xml/);
  });

  it('a 500 HTML error page: one finding on the status and Content-Type, no ExoML findings about the HTML', async () => {
    const res = await cli(['--json', 'validate', `${base}/error-page`]);
    assert.equal(res.code, 1);
    const [report] = JSON.parse(res.stdout) as Array<{ findings: Array<{ code: string; message: string }> }>;
    assert.deepEqual(
      report?.findings.map((f) => f.code),
      ['EXO701'],
    );
    assert.match(
      report?.findings[0]?.message ?? '',
      /^HTTP 500; the answer is an error \(HTTP 500, Content-Type "text\/html; charset=utf-8"\): its body was not checked$/,
    );
    const html = await cli(['validate', `${base}/html`]);
    assert.match(html.stdout, /EXO703 .*the answer is an HTML page \(HTTP 200, Content-Type "text\/html"\)/);
    assert.equal(
      html.stdout
        .trim()
        .split('\n')
        .filter((l) => /(error|warning|info) EXO/.test(l)).length,
      1,
      html.stdout,
    );
  });

  it('302 → EXO702 (the redirect is not followed)', async () => {
    const before = seen.filter((s) => s.url.pathname === '/good').length;
    const res = await cli(['validate', `${base}/moved`]);
    assert.equal(res.code, 1);
    assert.match(res.stdout, /error EXO702 HTTP 302/);
    assert.equal(seen.filter((s) => s.url.pathname === '/good').length, before);
  });

  it('a Gather JSON answer is detected and checked; --kind gather-json sends Exotel-Version: 1.0', async () => {
    const auto = await cli(['--json', 'validate', `${base}/gather`, '--strict']);
    assert.equal(auto.code, 0, auto.stdout);
    assert.equal((JSON.parse(auto.stdout) as JsonReport)[0]?.kind, 'gather-json');
    await cli(['validate', `${base}/gather`, '--kind', 'gather-json']);
    assert.equal(seen.findLast((s) => s.url.pathname === '/gather')?.headers['exotel-version'], '1.0');
  });

  it('--kind greeting sends HEAD then GET and compares their headers', async () => {
    const res = await cli(['validate', `${base}/greeting`, '--kind', 'greeting']);
    assert.equal(res.code, 1);
    assert.match(res.stdout, /EXO703 .*exactly "text\/plain"/);
    assert.match(res.stdout, /EXO704 HEAD answered 200 text\/plain, GET answered 200 text\/plain; charset=utf-8/);
    assert.deepEqual(
      seen.filter((s) => s.url.pathname === '/greeting').map((s) => s.method),
      ['HEAD', 'GET'],
    );
  });

  it('a closed port → exit 3, and the other sources are still checked', async () => {
    const port = await closedPort();
    const res = await cli(['validate', `http://127.0.0.1:${port}/passthru-handler`, ERR]);
    assert.equal(res.code, 3);
    assert.match(res.stderr, /connection refused/);
    assert.match(res.stdout, /EXO202/);
  });

  it('a server that never answers → exit 3 after --timeout', async () => {
    const res = await cli(['--json', 'validate', `${base}/hang`, '--timeout', '300']);
    assert.equal(res.code, 3);
    assert.match(res.stderr, /no answer within 300 ms/);
    assert.match((JSON.parse(res.stdout) as JsonReport)[0]?.error ?? '', /no answer/);
  });
});
