/**
 * Opening a page in the user's browser, for `inspect --web`: `open` on macOS, `start` on Windows, `xdg-open`
 * elsewhere when there is a display. Without one (SSH, CI, a container) there is no browser to open: the caller
 * prints the URL instead.
 */
import { spawn } from 'node:child_process';

type Launcher = { command: string; args: (url: string) => string[] };

export function browserLauncher(
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
): Launcher | undefined {
  if (platform === 'darwin') return { command: 'open', args: (url) => [url] };
  // `start`'s first quoted argument is a window title; the empty one keeps the URL from being taken as it.
  if (platform === 'win32') return { command: 'cmd', args: (url) => ['/c', 'start', '""', url.replaceAll('&', '^&')] };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  return { command: 'xdg-open', args: (url) => [url] };
}

/** Starts the launcher detached; resolves false when it cannot be started (not installed). */
export function openWith(launcher: Launcher, url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(launcher.command, launcher.args(url), {
      detached: true,
      stdio: 'ignore',
      // cmd reads its own command line: Node's quoting would turn start's empty title into a literal \"\".
      windowsVerbatimArguments: launcher.command === 'cmd',
    });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
