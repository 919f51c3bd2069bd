import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { UsageError } from '../../src/errors.ts';

describe('loadConfig', () => {
  it('flags > env > .env > defaults', () => {
    const dotenv = 'PORT=7000\nBRAND_NAME=From File\nAGENT_NUMBER=+911111111111\n';
    const config = loadConfig({ flags: { port: 9000 }, env: { PORT: '8001', BRAND_NAME: 'From Env' }, dotenv });
    assert.equal(config.port, 9000);
    assert.equal(config.brandName, 'From Env');
    assert.equal(config.agentNumber, '+911111111111');
    assert.equal(config.sessionTtl, 7200);
    assert.equal(config.redisUrl, undefined);
    assert.ok(Object.isFrozen(config));
  });
  it('rejects bad values with a usage error', () => {
    assert.throws(() => loadConfig({ env: { PORT: '80a' } }), UsageError);
    assert.throws(() => loadConfig({ env: { REDIS_URL: 'http://x' } }), UsageError);
    assert.throws(() => loadConfig({ env: { SESSION_TTL: '0' } }), UsageError);
    assert.throws(() => loadConfig({ env: { DATABASE_SCHEMA: 'a;drop' } }), UsageError);
  });
  it('strips a trailing slash from BASE_URL', () => {
    assert.equal(loadConfig({ env: { BASE_URL: 'https://bot.example.com/' } }).baseUrl, 'https://bot.example.com');
  });
});
