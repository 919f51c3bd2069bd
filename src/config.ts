/**
 * Configuration: flags > environment > `.env` file > defaults. Pure: the caller passes env and the .env text,
 * so nothing here reads process.env (docs/architecture.md rule 5). The result is frozen.
 *
 * SETTINGS is the one declaration of every setting: the Config type, loadConfig, the commander options
 * (src/cli/settings.ts) and README's configuration table (src/cli/config-doc.ts) are all derived from it.
 */
import { parse as parseDotenv } from 'dotenv';
import { UsageError } from './errors.ts';
import { parseWholeNumber } from './util/whole-number.ts';

/** `raw` is never undefined or empty: unset values take the default without being parsed. */
type Parse<T> = (raw: string, env: string) => T;

export type SettingSpec<T = unknown> = {
  env: string;
  /** Commander flag syntax; the attribute commander derives from it is what settingFlags maps back. */
  flag: string;
  default: T | undefined;
  /** What the default means, where the value alone would not say (README and --help). */
  defaultDoc?: string;
  /** One line, shared by --help (backticks dropped) and README (backticks kept: code). */
  help: string;
  parse: Parse<T>;
};

const text: Parse<string> = (raw) => raw;

function integer(min: number, max: number): Parse<number> {
  return (raw, env) => {
    const value = parseWholeNumber(raw.trim());
    if (value === undefined) throw new UsageError(`${env} must be a whole number, got "${raw}"`);
    if (value < min || value > max) throw new UsageError(`${env} must be between ${min} and ${max}, got ${value}`);
    return value;
  };
}

function url(protocols: readonly string[]): Parse<string> {
  return (raw, env) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new UsageError(`${env} is not a valid URL: "${raw}"`);
    }
    if (!protocols.includes(parsed.protocol))
      throw new UsageError(`${env} must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
    return raw;
  };
}

const httpUrl = url(['http:', 'https:']);

const BYTE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** `268435456`, `256MB`, `256MiB`, `1g`: binary units, as disk sizes are usually meant here. */
function byteSize(min: number, max: number): Parse<number> {
  return (raw, env) => {
    const match = /^([0-9]+)\s*([a-z]*)$/i.exec(raw.trim());
    const unit = BYTE_UNITS[match?.[2]?.toLowerCase() ?? 'x'];
    if (!match || unit === undefined)
      throw new UsageError(`${env} must be a size such as 268435456, 256MB or 1GB, got "${raw}"`);
    const value = Number(match[1]) * unit;
    if (value < min || value > max)
      throw new UsageError(`${env} must be between ${min} and ${max} bytes, got ${value}`);
    return value;
  };
}

// The schema name is interpolated into SQL (search_path, DDL), so only a plain identifier is accepted.
const identifier: Parse<string> = (raw, env) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(raw))
    throw new UsageError(`${env} must be a plain identifier, got "${raw}"`);
  return raw;
};

export const SETTINGS = {
  port: {
    env: 'PORT',
    flag: '-p, --port <port>',
    default: 8000,
    help: 'port to listen on, `0` = any free port',
    parse: integer(0, 65535),
  },
  host: { env: 'HOST', flag: '--host <host>', default: '127.0.0.1', help: 'interface to bind', parse: text },
  baseUrl: {
    env: 'BASE_URL',
    flag: '--base-url <url>',
    default: undefined,
    defaultDoc: "the request's host",
    help: 'public base URL for absolute Gather action URLs',
    // Action URLs are built as `${baseUrl}/gather-response`.
    parse: (raw, env) => httpUrl(raw, env).replace(/\/+$/, ''),
  },
  redisUrl: {
    env: 'REDIS_URL',
    flag: '--redis-url <url>',
    default: undefined,
    defaultDoc: 'in-memory sessions',
    help: 'Redis for sessions, `redis://…`',
    parse: url(['redis:', 'rediss:']),
  },
  redisPrefix: {
    env: 'REDIS_PREFIX',
    flag: '--redis-prefix <prefix>',
    default: 'exo-passthru:session:',
    help: 'Redis key prefix of the sessions',
    parse: text,
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    flag: '--database-url <url>',
    default: undefined,
    defaultDoc: 'embedded PGlite',
    help: 'PostgreSQL for call history, `postgres://…`',
    parse: url(['postgres:', 'postgresql:']),
  },
  databaseSchema: {
    env: 'DATABASE_SCHEMA',
    flag: '--database-schema <name>',
    default: 'public',
    help: 'PostgreSQL schema',
    parse: identifier,
  },
  dataDir: {
    env: 'DATA_DIR',
    flag: '--data-dir <dir>',
    default: '.exo-passthru/pglite',
    help: "PGlite directory, or 'memory' to keep nothing",
    parse: text,
  },
  spoolDir: {
    env: 'SPOOL_DIR',
    flag: '--spool-dir <dir>',
    default: undefined,
    defaultDoc: "`.exo-passthru/spool`; 'memory' when DATA_DIR is 'memory'",
    help: "where history writes wait, durably, while PostgreSQL is away; 'memory' keeps nothing",
    parse: text,
  },
  spoolMaxBytes: {
    env: 'SPOOL_MAX_BYTES',
    flag: '--spool-max-bytes <size>',
    default: 256 * 1024 ** 2,
    defaultDoc: '`256MB`',
    help: 'bound on the spool; when full, calls are still answered and `/health` says 503',
    parse: byteSize(4096, 2 ** 50),
  },
  historyBatchMax: {
    env: 'HISTORY_BATCH_MAX',
    flag: '--history-batch-max <n>',
    default: 500,
    help: 'most history writes committed in one statement (group commit)',
    parse: integer(1, 10_000),
  },
  historyBatchWaitMs: {
    env: 'HISTORY_BATCH_WAIT_MS',
    flag: '--history-batch-wait <ms>',
    default: 0,
    help: 'how long a write may wait for others to share its commit (0: the next turn of the event loop)',
    parse: integer(0, 1000),
  },
  storeTimeoutMs: {
    env: 'STORE_TIMEOUT_MS',
    flag: '--store-timeout <ms>',
    default: 750,
    help: 'bound on each Redis command and PostgreSQL connect/query: a frozen store is treated as a down one',
    parse: integer(50, 60_000),
  },
  agentNumber: {
    env: 'AGENT_NUMBER',
    flag: '--agent-number <number>',
    default: '+910000000000',
    defaultDoc: '`+910000000000`, a placeholder',
    help: 'number `<Dial>` connects to on "press 1"',
    parse: text,
  },
  exophone: {
    env: 'EXOPHONE',
    flag: '--exophone <number>',
    default: '08000000000',
    defaultDoc: '`08000000000`, a placeholder',
    help: 'your ExoPhone, used as `<Dial>` callerId',
    parse: text,
  },
  webhookKey: {
    env: 'WEBHOOK_KEY',
    flag: '--key <key>',
    default: undefined,
    help: "when set, webhooks need `?key=` (constant-time compare), a signed URL (Passthru) or the Gather action's `tok`",
    parse: text,
  },
  adminToken: {
    env: 'ADMIN_TOKEN',
    flag: '--admin-token <token>',
    default: undefined,
    defaultDoc: 'random, loopback only',
    help: 'bearer token for `/admin/*`',
    parse: text,
  },
  exotelApiKey: {
    env: 'EXOTEL_API_KEY',
    flag: '--api-key <key>',
    default: 'api_key',
    defaultDoc: '`api_key` (the mock takes any)',
    help: "Exotel API key: `trigger call`'s HTTP Basic user",
    parse: text,
  },
  exotelApiToken: {
    env: 'EXOTEL_API_TOKEN',
    flag: '--api-token <token>',
    default: 'api_token',
    defaultDoc: '`api_token` (the mock takes any)',
    help: "Exotel API token: `trigger call`'s HTTP Basic password; keep a real one in the environment or `.env`, not on the command line",
    parse: text,
  },
  sessionTtl: {
    env: 'SESSION_TTL',
    flag: '--session-ttl <seconds>',
    default: 7200,
    help: 'session lifetime in seconds',
    parse: integer(1, 30 * 24 * 3600),
  },
  brandName: {
    env: 'BRAND_NAME',
    flag: '--brand <name>',
    default: 'Demo Finance',
    help: 'company named in the greeting',
    parse: text,
  },
  botName: {
    env: 'BOT_NAME',
    flag: '--bot-name <name>',
    default: 'Priya',
    help: 'bot persona named in the greeting',
    parse: text,
  },
  promptsDir: {
    env: 'PROMPTS_DIR',
    flag: '--prompts-dir <dir>',
    default: undefined,
    defaultDoc: 'bundled `prompts/`',
    help: 'folder of `<lang>.json` files overriding the bundled prompts',
    parse: text,
  },
  inspectRingSize: {
    env: 'INSPECT_RING_SIZE',
    flag: '--inspect-ring-size <n>',
    default: 500,
    help: 'webhook exchanges kept in memory for the browser inspector (`/_inspect`); the oldest fall out',
    parse: integer(1, 100_000),
  },
} as const satisfies Record<string, SettingSpec<string> | SettingSpec<number>>;

export type SettingKey = keyof typeof SETTINGS;

/** A setting without a default stays undefined when unset. */
type ValueOf<S> = S extends { parse: Parse<infer T> } ? (S extends { default: undefined } ? T | undefined : T) : never;

export type Config = Readonly<{ -readonly [K in SettingKey]: ValueOf<(typeof SETTINGS)[K]> }>;

export const SETTING_KEYS: readonly SettingKey[] = Object.freeze(Object.keys(SETTINGS) as SettingKey[]);

export type ConfigFlags = Partial<Record<SettingKey, string | number | undefined>>;

export type LoadConfigInput = {
  env?: Readonly<Record<string, string | undefined>>;
  flags?: ConfigFlags;
  /** Contents of a `.env` file, if one was found. */
  dotenv?: string;
};

/** The first non-empty of flag, environment, .env file. */
function pick(key: SettingKey, input: LoadConfigInput, dotenv: Record<string, string>): string | undefined {
  const flag = input.flags?.[key];
  if (flag !== undefined && flag !== '') return String(flag);
  const name = SETTINGS[key].env;
  const fromEnv = input.env?.[name];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const fromFile = dotenv[name];
  if (fromFile !== undefined && fromFile !== '') return fromFile;
  return undefined;
}

export function loadConfig(input: LoadConfigInput = {}): Config {
  const dotenv = input.dotenv ? parseDotenv(input.dotenv) : {};
  const config: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const setting: SettingSpec = SETTINGS[key];
    const raw = pick(key, input, dotenv);
    config[key] = raw === undefined ? setting.default : setting.parse(raw, setting.env);
  }
  return Object.freeze(config as Config);
}
