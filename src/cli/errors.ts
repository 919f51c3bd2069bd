/**
 * How the CLI words an error. Library errors carry data (src/errors.ts): the component that failed, the setting to
 * check, a code and its details. Here they become what the user reads: the `[exo-passthru] [component]` prefix,
 * and hints that name flags and variables, taken from the settings table (src/config.ts) where a setting is meant.
 * A command with wording of its own (inspect) rewords with `reword` before the error reaches the printer.
 */
import { SETTINGS, SETTING_KEYS, type SettingKey } from '../config.ts';
import { AppError, CheckFailedError, errorMessage, isAppError, UnreachableError, UsageError } from '../errors.ts';
import { longFlag } from './settings.ts';

export type ErrorText = { message: string; hint: string | undefined };

type Names = { flag: string; env: string };

/** What to check when a setting's value is the likely cause. */
const SETTING_HINTS: Partial<Record<SettingKey, (names: Names) => string>> = {
  redisUrl: ({ flag, env }) => `Check ${env} (or ${flag}) and that Redis is running; unset it to keep sessions in memory.`,
  databaseUrl: ({ flag, env }) => `Check ${env} (or ${flag}) and that PostgreSQL is running; unset it to keep history in embedded PGlite.`,
  databaseSchema: ({ flag, env }) => `Check ${flag} (or ${env}); serve creates the tables the first time it starts on this database.`,
  dataDir: ({ flag, env }) => `Check ${env} (or ${flag}): it must be a writable directory that no other process is using, or "memory".`,
  port: ({ flag }) => `pick another with ${flag} (0 = any free port)`,
  baseUrl: ({ flag }) => `e.g. ${flag} https://bot.example.com`,
};

type Wording = { message?: (error: AppError) => string; hint?: (error: AppError) => string };

/** Library codes whose wording names a command's flags. */
const CODE_WORDING: Readonly<Record<string, Wording>> = {
  // simulate: a Gather and neither --digits, --no-input nor a terminal to ask on.
  E_NO_KEYS: { hint: () => 'give the keys with --digits 1 (comma-separated, one group per Gather), or --no-input to let every Gather time out' },
  // The customer CSV's header (url --csv, simulate --csv); the column map comes from url's --map.
  E_MISSING_COLUMN: { hint: (e) => `${e.hint ?? ''}; name yours with --map ${e.details.field ?? 'field'}=<Header>` },
  E_MAP_NO_COLUMN: { message: (e) => `--map ${e.details.field ?? ''}=${e.details.header ?? ''}: no such column` },
  E_MAP_TWICE: { message: (e) => `--map: ${e.message}` },
};

const isSettingKey = (value: string | undefined): value is SettingKey => SETTING_KEYS.includes(value as SettingKey);

function settingHint(setting: string | undefined): string | undefined {
  if (!isSettingKey(setting)) return undefined;
  return SETTING_HINTS[setting]?.({ flag: longFlag(setting), env: SETTINGS[setting].env });
}

/** The message and hint the user reads for anything thrown. */
export function describeError(error: unknown): ErrorText {
  if (!isAppError(error)) return { message: errorMessage(error), hint: undefined };
  const wording = CODE_WORDING[error.code];
  const message = wording?.message?.(error) ?? error.message;
  return {
    message: error.component === undefined ? message : `[exo-passthru] [${error.component}] ${message}`,
    hint: wording?.hint?.(error) ?? error.hint ?? settingHint(error.setting),
  };
}

/** The same error (class, code, component, exit code) with a command's own message or hint; the original is the cause. */
export function reword(error: AppError, text: { message?: string; hint?: string }): AppError {
  const message = text.message ?? error.message;
  const { code, component, setting, details } = error;
  const options = { code, setting, details, hint: text.hint ?? error.hint, cause: error.cause ?? error };
  if (error instanceof UnreachableError) return new UnreachableError(error.dependency, message, options);
  if (error instanceof UsageError) return new UsageError(message, { ...options, component });
  if (error instanceof CheckFailedError) return new CheckFailedError(message, { ...options, component });
  return new AppError(message, { ...options, component, exitCode: error.exitCode });
}
