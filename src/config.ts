/**
 * Configuration: flags > environment > `.env` file > defaults. Pure: the caller passes env and the .env text,
 * so nothing here reads process.env (docs/architecture.md rule 5). The result is frozen.
 */
import { parse as parseDotenv } from 'dotenv';
import { UsageError } from './errors.ts';

export type Config = Readonly<{
  port: number;
  host: string;
  baseUrl: string | undefined;
  redisUrl: string | undefined;
  redisPrefix: string;
  databaseUrl: string | undefined;
  databaseSchema: string;
  /** Where embedded PGlite keeps its files; 'memory' keeps nothing. */
  dataDir: string;
  agentNumber: string;
  exophone: string;
  webhookKey: string | undefined;
  adminToken: string | undefined;
  sessionTtl: number;
  brandName: string;
  botName: string;
  promptsDir: string | undefined;
}>;

/** Setting name → env variable. The table README's configuration section documents. */
export const CONFIG_ENV = {
  port: 'PORT',
  host: 'HOST',
  baseUrl: 'BASE_URL',
  redisUrl: 'REDIS_URL',
  redisPrefix: 'REDIS_PREFIX',
  databaseUrl: 'DATABASE_URL',
  databaseSchema: 'DATABASE_SCHEMA',
  dataDir: 'DATA_DIR',
  agentNumber: 'AGENT_NUMBER',
  exophone: 'EXOPHONE',
  webhookKey: 'WEBHOOK_KEY',
  adminToken: 'ADMIN_TOKEN',
  sessionTtl: 'SESSION_TTL',
  brandName: 'BRAND_NAME',
  botName: 'BOT_NAME',
  promptsDir: 'PROMPTS_DIR',
} as const satisfies Record<keyof Config, string>;

export const CONFIG_DEFAULTS = {
  port: 8000,
  host: '127.0.0.1',
  redisPrefix: 'exo-passthru:session:',
  databaseSchema: 'public',
  dataDir: '.exo-passthru/pglite',
  agentNumber: '+910000000000',
  exophone: '08000000000',
  sessionTtl: 7200,
  brandName: 'Demo Finance',
  botName: 'Priya',
} as const;

export type ConfigFlags = Partial<Record<keyof Config, string | number | undefined>>;

export type LoadConfigInput = {
  env?: Readonly<Record<string, string | undefined>>;
  flags?: ConfigFlags;
  /** Contents of a `.env` file, if one was found. */
  dotenv?: string;
};

function pick(key: keyof Config, input: LoadConfigInput, dotenv: Record<string, string>): string | undefined {
  const flag = input.flags?.[key];
  if (flag !== undefined && flag !== '') return String(flag);
  const name = CONFIG_ENV[key];
  const fromEnv = input.env?.[name];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const fromFile = dotenv[name];
  if (fromFile !== undefined && fromFile !== '') return fromFile;
  return undefined;
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw.trim())) throw new UsageError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new UsageError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function url(name: string, raw: string | undefined, protocols: readonly string[]): string | undefined {
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new UsageError(`${name} is not a valid URL: "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new UsageError(`${name} must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return raw;
}

export function loadConfig(input: LoadConfigInput = {}): Config {
  const dotenv = input.dotenv ? parseDotenv(input.dotenv) : {};
  const get = (key: keyof Config) => pick(key, input, dotenv);
  const baseUrl = url('BASE_URL', get('baseUrl'), ['http:', 'https:']);
  const schema = get('databaseSchema') ?? CONFIG_DEFAULTS.databaseSchema;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new UsageError(`DATABASE_SCHEMA must be a plain identifier, got "${schema}"`);
  return Object.freeze({
    port: integer('PORT', get('port'), CONFIG_DEFAULTS.port, 0, 65535),
    host: get('host') ?? CONFIG_DEFAULTS.host,
    baseUrl: baseUrl?.replace(/\/+$/, ''),
    redisUrl: url('REDIS_URL', get('redisUrl'), ['redis:', 'rediss:']),
    redisPrefix: get('redisPrefix') ?? CONFIG_DEFAULTS.redisPrefix,
    databaseUrl: url('DATABASE_URL', get('databaseUrl'), ['postgres:', 'postgresql:']),
    databaseSchema: schema,
    dataDir: get('dataDir') ?? CONFIG_DEFAULTS.dataDir,
    agentNumber: get('agentNumber') ?? CONFIG_DEFAULTS.agentNumber,
    exophone: get('exophone') ?? CONFIG_DEFAULTS.exophone,
    webhookKey: get('webhookKey'),
    adminToken: get('adminToken'),
    sessionTtl: integer('SESSION_TTL', get('sessionTtl'), CONFIG_DEFAULTS.sessionTtl, 1, 30 * 24 * 3600),
    brandName: get('brandName') ?? CONFIG_DEFAULTS.brandName,
    botName: get('botName') ?? CONFIG_DEFAULTS.botName,
    promptsDir: get('promptsDir'),
  });
}
