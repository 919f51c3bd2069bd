/** The App Bazaar surfaces (docs/exotel-protocol.md §10.2 items 7–9), kind detection, JSON error positions and HTTP response checks. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkResponseMeta } from '../../src/exoml/http-response.ts';
import { jsonErrorOffset } from '../../src/exoml/json-locate.ts';
import { validateJsonSurface } from '../../src/exoml/json-surfaces.ts';
import { detectKind, validateSurface } from '../../src/exoml/surface.ts';
import { urlShape } from '../../src/exoml/urls.ts';

const codes = (kind: Parameters<typeof validateJsonSurface>[0], body: unknown) =>
  validateJsonSurface(kind, typeof body === 'string' ? body : JSON.stringify(body, null, 2)).map((f) => f.code);
const PROMPT = { text: '1 दबाएँ' };

describe('gather-json', () => {
  it('a complete answer is clean; max_input_digits absent or 0 warns', () => {
    assert.deepEqual(
      codes('gather-json', {
        gather_prompt: PROMPT,
        max_input_digits: 1,
        finish_on_key: '',
        input_timeout: 60,
        repeat_menu: 0,
      }),
      [],
    );
    assert.deepEqual(codes('gather-json', { gather_prompt: PROMPT }), ['EXO605']);
    assert.deepEqual(codes('gather-json', { gather_prompt: PROMPT, max_input_digits: 0 }), ['EXO605']);
    assert.deepEqual(codes('gather-json', { gather_prompt: PROMPT, max_input_digits: '1' }), ['EXO604']);
    assert.deepEqual(codes('gather-json', { gather_prompt: PROMPT, max_input_digits: 1.5 }), ['EXO604']);
  });

  it('prompts: exactly one of text / audio_url, the same rules for repeat_gather_prompt', () => {
    assert.deepEqual(codes('gather-json', { gather_prompt: {}, max_input_digits: 1 }), ['EXO603']);
    assert.deepEqual(codes('gather-json', { gather_prompt: { text: ' ' }, max_input_digits: 1 }), ['EXO603']);
    assert.deepEqual(codes('gather-json', { gather_prompt: 'Press 1', max_input_digits: 1 }), ['EXO610']);
    assert.deepEqual(
      codes('gather-json', { gather_prompt: { audio_url: 'https://a.example/m.ogg' }, max_input_digits: 1 }),
      ['EXO303'],
    );
    assert.deepEqual(
      codes('gather-json', {
        gather_prompt: PROMPT,
        max_input_digits: 1,
        repeat_gather_prompt: { text: 'x', voice: 'woman' },
      }),
      ['EXO602'],
    );
  });

  it('an unknown key is an error, located on its line', () => {
    const [f] = validateJsonSurface(
      'gather-json',
      '{\n  "gather_prompt": {"text": "x"},\n  "max_input_digits": 1,\n  "numDigits": 1\n}',
    );
    assert.deepEqual([f?.code, f?.line, f?.column, f?.path], ['EXO602', 4, 3, 'numDigits']);
  });

  it('not JSON or not an object → EXO601 at the offending character', () => {
    const [f] = validateJsonSurface('gather-json', '{\n  "gather_prompt": {"text": "x"}\n  "max_input_digits": 1\n}');
    assert.deepEqual([f?.code, f?.line, f?.column], ['EXO601', 3, 3]);
    assert.deepEqual(codes('gather-json', '[]'), ['EXO601']);
    assert.deepEqual(codes('gather-json', ''), ['EXO601']);
  });
});

describe('connect-json', () => {
  it('numbers, booleans, choices, durations, E.164 and nested objects', () => {
    const base = { destination: { numbers: ['+919812345678'] } };
    assert.deepEqual(codes('connect-json', base), []);
    assert.deepEqual(codes('connect-json', { destination: { numbers: ['12'] } }), ['EXO611']);
    assert.deepEqual(codes('connect-json', { destination: {} }), ['EXO611']);
    assert.deepEqual(codes('connect-json', {}), ['EXO616']);
    assert.deepEqual(codes('connect-json', { ...base, fetch_after_attempt: 'false' }), ['EXO610']);
    assert.deepEqual(codes('connect-json', { ...base, max_ringing_duration: 60, max_conversation_duration: 3600 }), []);
    assert.deepEqual(codes('connect-json', { ...base, music_on_hold: { value: 'x' } }), ['EXO616']);
    assert.deepEqual(
      codes('connect-json', { ...base, start_call_playback: { playback_to: 'caller', type: 'text', value: 'hi' } }),
      ['EXO612'],
    );
    assert.deepEqual(
      codes('connect-json', {
        ...base,
        start_call_playback: { playback_to: 'both', type: 'audio_url', value: 'ftp://x/a.wav' },
      }),
      ['EXO609'],
    );
    assert.deepEqual(codes('connect-json', { ...base, parallel_ringing: { activate: 1 } }), ['EXO610']);
    assert.deepEqual(codes('connect-json', { ...base, dial_passthru_event_url: '/events' }), ['EXO609']);
  });
});

describe('greeting', () => {
  it('text, audio URLs, mixed, markup', () => {
    assert.deepEqual(codes('greeting', 'வணக்கம்!'), []);
    assert.deepEqual(codes('greeting', 'https://a.example/a.wav\r\nhttps://a.example/b.mp3\r\n'), []);
    assert.deepEqual(codes('greeting', 'https://a.example/a.ogg'), ['EXO303']);
    assert.deepEqual(codes('greeting', '{"text": "hi"}'), ['EXO622']);
    assert.deepEqual(codes('greeting', '{ braces are fine in text'), []);
  });
});

describe('HTTP response checks', () => {
  it('status, redirects, Content-Type per kind, HEAD vs GET', () => {
    const c = (kind: Parameters<typeof checkResponseMeta>[0], meta: Parameters<typeof checkResponseMeta>[1]) =>
      checkResponseMeta(kind, meta).map((f) => f.code);
    assert.deepEqual(c('exoml', { status: 200, contentType: 'application/xml' }), []);
    assert.deepEqual(c('exoml', { status: 200, contentType: 'TEXT/XML; charset=UTF-8' }), []);
    assert.deepEqual(c('exoml', { status: 200 }), ['EXO703']);
    assert.deepEqual(c('exoml', { status: 301, contentType: 'text/xml' }), ['EXO702']);
    assert.deepEqual(c('gather-json', { status: 404, contentType: 'application/json' }), ['EXO701']);
    assert.deepEqual(
      c('greeting', { status: 200, contentType: 'text/plain', head: { status: 200, contentType: 'text/plain' } }),
      [],
    );
    assert.deepEqual(c('greeting', { status: 200, contentType: 'text/plain;charset=utf-8' }), ['EXO703']);
  });
});

describe('detection and helpers', () => {
  it('detectKind by content, with .xml and XML Content-Type hints', () => {
    assert.equal(detectKind('  <Response/>'), 'exoml');
    assert.equal(detectKind('\uFEFF<?xml version="1.0"?><Response/>'), 'exoml');
    assert.equal(detectKind('{"gather_prompt": {}}'), 'gather-json');
    assert.equal(detectKind('{"destination": {}}'), 'connect-json');
    assert.equal(detectKind('नमस्ते'), 'greeting');
    assert.equal(detectKind('hello', { name: 'a.xml' }), 'exoml');
    assert.equal(detectKind('hello', { contentType: 'application/xml' }), 'exoml');
    assert.equal(detectKind('{"max_input_digits": 1', { name: 'broken.json' }), 'gather-json');
    assert.equal(validateSurface('{"destination": {"numbers": []}}').kind, 'connect-json');
  });

  it('jsonErrorOffset finds the first error, -1 for valid JSON', () => {
    assert.equal(jsonErrorOffset('{"a": [1, 2, {"b": null}], "c": "\\u00e9"}'), -1);
    assert.equal(jsonErrorOffset('{"a": 1,}'), 8);
    assert.equal(jsonErrorOffset('{"a": tru}'), 6);
    assert.equal(jsonErrorOffset('"unterminated'), 13);
    assert.equal(jsonErrorOffset('[1] [2]'), 4);
  });

  it('urlShape', () => {
    assert.equal(urlShape('https://bot.example.in/g?x=1'), 'absolute');
    assert.equal(urlShape('HTTP://bot.example.in'), 'absolute');
    assert.equal(urlShape('/gather-response'), 'relative');
    assert.equal(urlShape('next.xml'), 'relative');
    assert.equal(urlShape('mailto:a@b.c'), 'invalid');
    assert.equal(urlShape('https://bot example.in'), 'invalid');
    assert.equal(urlShape(''), 'invalid');
  });
});
