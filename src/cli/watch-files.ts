/**
 * `serve --watch`: call back (debounced) when a watched file changes. Each target is a directory and, optionally,
 * the one file name in it that counts. Directories are watched rather than files: editors and `git checkout` save by
 * writing a new file and renaming it over the old one, which ends a watch on the old file's inode; a directory
 * watch sees every such save. One save is several events (write, rename, chmod): they are folded into one call.
 */
import { type FSWatcher, watch } from 'node:fs';

type WatchTarget = { dir: string; file?: string };

export type FileWatch = {
  /** Replace the watched set (PROMPTS_DIR may change in .env). */
  set(targets: readonly WatchTarget[]): void;
  close(): void;
};

export function watchFiles(
  onChange: (changed: string[]) => void,
  options: { debounceMs?: number; onError?: (dir: string, error: unknown) => void } = {},
): FileWatch {
  const debounceMs = options.debounceMs ?? 100;
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  const pending = new Set<string>();
  const fire = () => {
    timer = undefined;
    const changed = [...pending];
    pending.clear();
    onChange(changed);
  };
  const close = () => {
    for (const watcher of watchers) watcher.close();
    watchers = [];
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  return {
    set(targets) {
      close();
      for (const target of targets) {
        try {
          const watcher = watch(target.dir, { persistent: false }, (_event, name) => {
            const file = name === null ? undefined : String(name);
            if (target.file !== undefined && file !== target.file) return;
            pending.add(file === undefined ? target.dir : `${target.dir}/${file}`);
            if (timer) clearTimeout(timer);
            timer = setTimeout(fire, debounceMs);
          });
          watcher.on('error', (error) => options.onError?.(target.dir, error));
          watchers.push(watcher);
        } catch (error) {
          // A directory that does not exist (yet): say so; the others are still watched.
          options.onError?.(target.dir, error);
        }
      }
    },
    close,
  };
}
