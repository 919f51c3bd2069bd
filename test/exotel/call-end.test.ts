/** readCallEnd: which Passthru requests report the end of a call (docs/exotel-protocol.md §1.2, §1.3). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCallEnd } from '../../src/exotel/call-end.ts';

describe('readCallEnd', () => {
  it('a first Passthru (the 2016 capture: CallType=incomplete, DialCallDuration=0, empty DialWhomNumber) is not an end', () => {
    const first = { CallSid: 'd50e19c31e3911190a7e601f1056d69a', CallStatus: 'ringing', CallType: 'incomplete', DialCallDuration: '0', DialWhomNumber: '', RecordingUrl: '' };
    assert.equal(readCallEnd(first), undefined);
  });

  it('after a Connect: dial status, duration, recording and legs', () => {
    const end = readCallEnd({ CallType: 'completed', DialCallStatus: 'no-answer', DialCallDuration: '0', 'Legs[0][Number]': '+919812345678', 'Legs[1][Cause]': '16' });
    assert.deepEqual(end, { legs: [{ Number: '+919812345678' }, { Cause: '16' }], dialCallStatus: 'no-answer', dialCallDuration: 0, callType: 'completed' });
  });

  it('after a Voicebot: Stream[…] keys or Stream={json}; the stream recording and duration stand in', () => {
    const keys = readCallEnd({ 'Stream[StreamSID]': 's', 'Stream[Duration]': '28', 'Stream[RecordingUrl]': 'https://r.example/a.mp3' });
    assert.deepEqual(keys, { legs: [], dialCallDuration: 28, recordingUrl: 'https://r.example/a.mp3', stream: { StreamSID: 's', Duration: '28', RecordingUrl: 'https://r.example/a.mp3' } });
    const json = readCallEnd({ Stream: '{"StreamSID":"s","Duration":7,"DisconnectedBy":"bot"}' });
    assert.deepEqual(json?.stream, { StreamSID: 's', Duration: '7', DisconnectedBy: 'bot' });
    assert.equal(readCallEnd({ Stream: 'not json' }), undefined);
  });
});
