/**
 * `.exo-passthru/admin-token`: the admin token serve generates when ADMIN_TOKEN is unset, for inspect to read.
 * The file is written to a fresh temporary name (O_CREAT | O_EXCL | O_NOFOLLOW, 0600) beside it and renamed
 * over it: writing in place would keep the mode of a file that was already there (0644 stays 0644) and would
 * follow a symlink planted at that path, overwriting its target; rename replaces the link itself.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

const STATE_DIR = '.exo-passthru';

/**
 * Creates `.exo-passthru` owner-only (0700) if it does not exist. serve calls it before the stores open, since
 * PGlite's default DATA_DIR lies inside and would otherwise create it with the default mode. An existing
 * directory is left as it is.
 */
export async function createStateDir(cwd: string): Promise<string> {
  const dir = join(cwd, STATE_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Writes the token (plus a newline) and returns the file's path; the file is 0600 whatever was there before. */
export async function writeAdminToken(cwd: string, token: string): Promise<string> {
  const dir = await createStateDir(cwd);
  const file = join(dir, 'admin-token');
  const temp = join(dir, `.admin-token.${randomBytes(8).toString('hex')}.tmp`);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
  const handle = await open(temp, flags, 0o600);
  try {
    try {
      // The umask can only take bits away from 0600; chmod makes it exactly 0600 either way.
      await handle.chmod(0o600);
      await handle.writeFile(`${token}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return file;
}
