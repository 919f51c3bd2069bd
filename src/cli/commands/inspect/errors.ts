/**
 * inspect's wording of its sources' errors (src/inspect/ speaks data): which flag or variable to give or check,
 * and the other ways to point inspect somewhere. Unlike serve, inspect's user can switch between reading the
 * stores directly and reading through serve, so its hints say so.
 */
import { SETTINGS } from '../../../config.ts';
import { isAppError, UnreachableError } from '../../../errors.ts';
import { reword } from '../../errors.ts';
import { longFlag } from '../../settings.ts';

const THROUGH_SERVE = 'or read through serve with --server (without --redis-url / --database-url)';

/** The hint every "cannot reach" error of inspect carries: what to check, and the other ways to point it somewhere. */
function sourceHint(dependency: string): string {
  if (dependency === 'redis') return `check --redis-url (or REDIS_URL) and that Redis runs; ${THROUGH_SERVE}`;
  if (dependency === 'postgres') return `check --database-url (or DATABASE_URL) and that PostgreSQL runs; ${THROUGH_SERVE}`;
  return 'start `exo-passthru serve` or point --server at one; or read the stores directly with --redis-url / --database-url (or REDIS_URL / DATABASE_URL)';
}

/** An error from a source as inspect's user reads it; anything else as it is. */
export function inspectError(error: unknown): unknown {
  if (!isAppError(error)) return error;
  // Store errors carry serve's advice by setting; a hint of the source's own (a 5xx: "see /health") stays.
  if (error instanceof UnreachableError && error.hint === undefined) return reword(error, { hint: sourceHint(error.dependency) });
  if (error.code === 'E_NO_STORE' && (error.setting === 'redisUrl' || error.setting === 'databaseUrl')) {
    const flag = longFlag(error.setting);
    const { command, store } = error.details;
    return reword(error, {
      message: `${command} reads ${store}, but neither ${flag} nor ${SETTINGS[error.setting].env} is set`,
      hint: `give ${flag}, or read through serve's admin API with --server (without --redis-url/--database-url)`,
    });
  }
  if (error.code === 'E_ADMIN_TOKEN') {
    return reword(error, {
      hint: "pass serve's token with --admin-token (or ADMIN_TOKEN); without ADMIN_TOKEN, serve writes one to .exo-passthru/admin-token-<port> in its working directory and in $XDG_RUNTIME_DIR/exo-passthru (or ~/.exo-passthru)",
    });
  }
  if (error.code === 'E_NOT_EXO_SERVER') return reword(error, { hint: `check --server; ${sourceHint('server')}` });
  return error;
}
