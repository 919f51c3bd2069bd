import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/errors.ts';
import { parseSince } from '../../src/cli/commands/inspect/since.ts';

const NOW = new Date('2025-08-11T12:00:00.000Z');

describe('parseSince', () => {
  const lookBacks: Array<[string, string]> = [
    ['90s', '2025-08-11T11:58:30.000Z'],
    ['30m', '2025-08-11T11:30:00.000Z'],
    ['1h', '2025-08-11T11:00:00.000Z'],
    ['1h30m', '2025-08-11T10:30:00.000Z'],
    ['2d', '2025-08-09T12:00:00.000Z'],
    ['1w', '2025-08-04T12:00:00.000Z'],
    ['0m', '2025-08-11T12:00:00.000Z'],
    [' 1h ', '2025-08-11T11:00:00.000Z'],
  ];
  for (const [input, expected] of lookBacks) {
    it(`look-back ${JSON.stringify(input)} → ${expected}`, () => {
      assert.equal(parseSince(input, NOW).toISOString(), expected);
    });
  }

  it('a bare date is local midnight (like git log --since)', () => {
    assert.equal(parseSince('2025-08-11', NOW).getTime(), new Date(2025, 7, 11).getTime());
  });

  const instants: Array<[string, string]> = [
    ['2025-08-11T10:30:00Z', '2025-08-11T10:30:00.000Z'],
    ['2025-08-11 10:30:00z', '2025-08-11T10:30:00.000Z'],
    ['2025-08-11T10:30Z', '2025-08-11T10:30:00.000Z'],
    ['2025-08-11T10:30:00.250Z', '2025-08-11T10:30:00.250Z'],
    ['2025-08-11T16:00:00+05:30', '2025-08-11T10:30:00.000Z'],
    ['2025-08-11T16:00:00+0530', '2025-08-11T10:30:00.000Z'],
  ];
  for (const [input, expected] of instants) {
    it(`timestamp ${input} → ${expected}`, () => {
      assert.equal(parseSince(input, NOW).toISOString(), expected);
    });
  }

  it('a timestamp without an offset is local time', () => {
    assert.equal(parseSince('2025-08-11T10:30', NOW).getTime(), new Date(2025, 7, 11, 10, 30).getTime());
  });

  const garbage = ['', 'yesterday', '1', 'h', '1x', '-1h', '1.5h', '2025-02-30', '2025-13-01', '2025-08-11T25:00Z', '2025-08-11T10:61', '11/08/2025', '2025-8-11', '1h 30m', '9999999h'];
  for (const input of garbage) {
    it(`rejects ${JSON.stringify(input)} with a usage error naming --since`, () => {
      assert.throws(() => parseSince(input, NOW), (error: unknown) => error instanceof UsageError && error.exitCode === 2 && error.message.includes('--since'));
    });
  }
});
