/**
 * Where `serve` leaves the admin token it generated and where `inspect` finds it. One file per server, keyed by
 * the port it listens on, so two servers (a `npm run demo` beside a `serve`) never overwrite each other's token:
 *
 * - `<cwd>/.exo-passthru/admin-token-<port>`, beside the PGlite data;
 * - `<user dir>/admin-token-<port>`, so `inspect` finds it from any directory: `$XDG_RUNTIME_DIR/exo-passthru`
 *   (per user, cleared at logout) when set, else `~/.exo-passthru`;
 * - `<cwd>/.exo-passthru/admin-token`: the most recent server's, for scripts that read the one file.
 *
 * serve removes the files that still hold its token when it stops (removeAdminTokenFiles), so a stopped
 * server's token neither piles up nor is offered to `inspect` for a later server on the same port.
 *
 * A generated token only opens the admin API to loopback clients, so `inspect` reads these files only for a
 * loopback --server: a local secret is never sent to another host.
 */
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeSecretFile } from './secret-file.ts';

type Where = { cwd: string; env: Readonly<Record<string, string | undefined>> };

/** The per-user directory: `$XDG_RUNTIME_DIR/exo-passthru`, else `~/.exo-passthru`. */
function userTokenDir({ env }: Where): string {
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime ? join(runtime, 'exo-passthru') : join(env.HOME || homedir(), '.exo-passthru');
}

function tokenFiles(where: Where, port: number): { local: string; user: string; latest: string } {
  const name = `admin-token-${port}`;
  return {
    local: join(where.cwd, '.exo-passthru', name),
    user: join(userTokenDir(where), name),
    latest: join(where.cwd, '.exo-passthru', 'admin-token'),
  };
}

/**
 * Creates `<cwd>/.exo-passthru` owner-only (0700) when it is missing. serve calls it before the stores open: the
 * default PGlite DATA_DIR lies inside it and would otherwise create it first, with the default mode.
 */
export async function createLocalTokenDir(cwd: string): Promise<void> {
  await mkdir(join(cwd, '.exo-passthru'), { recursive: true, mode: 0o700 });
}

/** Writes the three files (0600); returns the one named to the user, in the working directory. */
export async function writeAdminTokenFiles(where: Where, port: number, token: string): Promise<string> {
  const files = tokenFiles(where, port);
  for (const file of [files.local, files.user, files.latest]) await writeSecretFile(file, `${token}\n`);
  return files.local;
}

/**
 * Removes, of the three files, those that still hold `token`: another server's (one started since on the same
 * port from another host address, or the newer server that `admin-token` now names) are left alone. A file that
 * cannot be read or removed is left as it is: stopping must not fail over a stale token.
 */
export async function removeAdminTokenFiles(where: Where, port: number, token: string): Promise<void> {
  const files = tokenFiles(where, port);
  await Promise.all(
    [files.local, files.user, files.latest].map(async (file) => {
      if ((await readToken(file)) === token) await unlink(file).catch(() => undefined);
    }),
  );
}

async function readToken(path: string): Promise<string | undefined> {
  try {
    const token = (await readFile(path, 'utf8')).trim();
    return token === '' ? undefined : token;
  } catch {
    return undefined;
  }
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

function portOf(server: URL): number {
  if (server.port !== '') return Number(server.port);
  return server.protocol === 'https:' ? 443 : 80;
}

/**
 * The token of the server at `serverUrl`: its port's file in the working directory, else in the user directory
 * (never the most recent server's, which may be another server's). `file` names where it came from, or where it
 * was looked for first.
 */
export async function findAdminToken(
  where: Where,
  serverUrl: string,
): Promise<{ token: string | undefined; file: string | undefined }> {
  const server = new URL(serverUrl);
  if (!LOOPBACK.test(server.hostname)) return { token: undefined, file: undefined };
  const files = tokenFiles(where, portOf(server));
  for (const file of [files.local, files.user]) {
    const token = await readToken(file);
    if (token !== undefined) return { token, file };
  }
  return { token: undefined, file: files.local };
}
