/**
 * The error model (docs/architecture.md): every failure a user can see is an AppError with a stable code,
 * the process exit code it maps to, and a hint. Errors carry data, not presentation: which component failed,
 * which setting to check, the values involved. cli/ words them for the terminal (the `[exo-passthru] [redis]`
 * prefix, flag names in hints; src/cli/errors.ts). Stack traces are shown only with --debug.
 *
 * Exit codes: 0 ok · 1 a check failed · 2 usage error · 3 a dependency is unreachable.
 */
export const EXIT = { ok: 0, checkFailed: 1, usage: 2, unreachable: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export type AppErrorOptions = {
  code?: string;
  exitCode?: ExitCode;
  /** Advice in the library's own terms; flag and variable names are cli/'s to add. */
  hint?: string;
  cause?: unknown;
  /** The part that failed: a dependency (redis, postgres, pglite, server) or a store (history). */
  component?: string;
  /** The setting whose value to check: a key of SETTINGS in config.ts, such as 'redisUrl'. */
  setting?: string;
  /** Further facts cli/ needs to word this error (a field, a column, the value given). */
  details?: Readonly<Record<string, string>>;
};

export class AppError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  readonly component: string | undefined;
  readonly setting: string | undefined;
  readonly details: Readonly<Record<string, string>>;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = options.code ?? 'E_APP';
    this.exitCode = options.exitCode ?? EXIT.checkFailed;
    this.hint = options.hint;
    this.component = options.component;
    this.setting = options.setting;
    this.details = options.details ?? {};
  }
}

/** Bad flags, missing files, unknown columns: exit 2. */
export class UsageError extends AppError {
  constructor(message: string, options: Omit<AppErrorOptions, 'exitCode'> = {}) {
    super(message, { code: 'E_USAGE', ...options, exitCode: EXIT.usage });
    this.name = 'UsageError';
  }
}

/** A server, Redis or PostgreSQL that does not answer: exit 3. The dependency is the error's component. */
export class UnreachableError extends AppError {
  readonly dependency: string;
  constructor(dependency: string, message: string, options: Omit<AppErrorOptions, 'exitCode' | 'component'> = {}) {
    super(message, { code: 'E_UNREACHABLE', ...options, component: dependency, exitCode: EXIT.unreachable });
    this.name = 'UnreachableError';
    this.dependency = dependency;
  }
}

/** A check that failed (invalid ExoML, failed expectation, rejected rows): exit 1. */
export class CheckFailedError extends AppError {
  constructor(message: string, options: Omit<AppErrorOptions, 'exitCode'> = {}) {
    super(message, { code: 'E_CHECK', ...options, exitCode: EXIT.checkFailed });
    this.name = 'CheckFailedError';
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** The message of anything thrown: an Error's message, anything else as a string. */
export function errorMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}

/** A file-system error (open, stat, read, write) as the few words a user needs; other errors keep their message. */
export function ioMessage(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return errorMessage(error);
}
