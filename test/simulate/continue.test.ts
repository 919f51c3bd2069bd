/** The inspector's keypad builds the Gather action request the way the simulator does (simulate/continue.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatherActionRequest } from '../../src/simulate/continue.ts';

const FIRST = { CallSid: 'k1', CallFrom: '09876543210', CallTo: '08047112233', CustomField: '{}', customer_id: 'c1' };
const doc = (gather: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  ${gather}\n</Response>\n`;

describe('keypad: the next request at a Gather', () => {
  it('resolves a relative action against the document URL, honours numDigits and the method', () => {
    const built = gatherActionRequest({
      document: doc('<Gather action="next?x=1" method="GET" numDigits="2"><Say>press</Say></Gather>'),
      documentUrl: 'http://127.0.0.1:9/flow/start?CallSid=k1',
      firstParams: FIRST,
      keys: '123',
    });
    assert.deepEqual(built, {
      ok: true,
      request: {
        method: 'GET',
        url: 'http://127.0.0.1:9/flow/next?x=1',
        params: {
          CallSid: 'k1',
          CallFrom: '09876543210',
          CallTo: '08047112233',
          CallStatus: 'in-progress',
          DigitsPressed: '12',
        },
      },
    });
  });

  it('posts back to the document URL when the Gather has no action; the finish key is not sent', () => {
    const built = gatherActionRequest({
      document: doc('<Gather finishOnKey="#"/>'),
      documentUrl: 'http://127.0.0.1:9/menu',
      firstParams: FIRST,
      keys: '7#9',
    });
    assert.ok(built.ok);
    assert.equal(built.request.method, 'POST');
    assert.equal(built.request.url, 'http://127.0.0.1:9/menu');
    assert.equal(built.request.params.DigitsPressed, '7');
  });

  it('refuses a document without a Gather, keys that end before a digit, and a non-http action', () => {
    const base = { documentUrl: 'http://127.0.0.1:9/', firstParams: FIRST };
    const none = gatherActionRequest({ ...base, document: doc('<Hangup/>'), keys: '1' });
    assert.deepEqual(none, { ok: false, reason: 'the last answer of this call has no <Gather> waiting for keys' });
    const empty = gatherActionRequest({ ...base, document: doc('<Gather/>'), keys: '#' });
    assert.equal(empty.ok, false);
    const ftp = gatherActionRequest({ ...base, document: doc('<Gather action="ftp://x/y"/>'), keys: '1' });
    assert.equal(ftp.ok, false);
  });
});
