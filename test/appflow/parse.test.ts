/** Flow files (src/appflow/parse.ts): the bundled flow file is the built-in one, and mistakes carry positions. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { COLLECTIONS_FLOW } from '../../src/appflow/collections.ts';
import { parseFlow } from '../../src/appflow/parse.ts';
import { AppError } from '../../src/errors.ts';

const mistake = (source: string): string => {
  try {
    parseFlow(source, 'f.yaml');
  } catch (error) {
    assert.ok(error instanceof AppError);
    assert.equal(error.exitCode, 2);
    assert.equal(error.code, 'E_FLOW');
    return error.message;
  }
  assert.fail('no error');
};

describe('parseFlow', () => {
  it('fixtures/flows/collections.yaml is the built-in collections flow', async () => {
    const text = await readFile(new URL('../../fixtures/flows/collections.yaml', import.meta.url), 'utf8');
    assert.deepEqual(parseFlow(text, 'collections.yaml'), COLLECTIONS_FLOW);
  });

  it('static applets, absolute URLs, and the first applet as the default start', () => {
    const flow = parseFlow(
      [
        'applets:',
        '  hello: { type: greeting, text: Hi, next: menu }',
        '  menu: { type: gather, prompt: Press 1, max_input_digits: 1, finish_on_key: "#", next: go, on_no_input: hangup }',
        '  go: { type: passthru, url: "https://bot.example.com/p?key=1", on_ok: agent, on_else: hangup }',
        '  agent: { type: connect, numbers: ["+919812345678"], next: hangup }',
      ].join('\n'),
      'f.yaml',
    );
    assert.equal(flow.start, 'hello');
    assert.equal(flow.name, 'f.yaml');
    assert.deepEqual(flow.applets.menu, {
      kind: 'gather',
      prompt: 'Press 1',
      maxInputDigits: 1,
      finishOnKey: '#',
      next: 'go',
      onNoInput: 'hangup',
    });
    assert.deepEqual(flow.applets.agent, { kind: 'connect', numbers: ['+919812345678'], next: 'hangup' });
  });

  it('names each mistake with its line and column', () => {
    assert.match(
      mistake('applets:\n  a: { type: dial, next: hangup }\n'),
      /^f\.yaml:2:14: applet "a"\.type must be one of/,
    );
    assert.match(
      mistake('applets:\n  a: { type: greeting, next: hangup }\n'),
      /^f\.yaml:2:6: .*needs url \(a dynamic URL\) or text/,
    );
    assert.match(
      mistake('applets:\n  a: { type: passthru, url: exotel/p, on_ok: hangup, on_else: hangup }\n'),
      /^f\.yaml:2:29: .*path starting with \//,
    );
    assert.match(mistake('start: b\napplets:\n  a: { type: hangup }\n'), /^f\.yaml:1:8: no applet named "b"/);
    assert.match(mistake('nme: x\n'), /^f\.yaml:1:1: unknown key "nme" in the flow/);
    assert.match(mistake('applets: {}\n'), /^f\.yaml:1:1: the flow needs applets/);
    assert.match(mistake('applets:\n  a: [\n'), /^f\.yaml:\d+:\d+: YAML: /);
  });
});
