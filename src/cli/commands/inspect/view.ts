/**
 * How `inspect` shows what it read: cli-table3 tables (borderless, aligned) or JSON, once or every second
 * with --watch until Ctrl-C. Also where the source is chosen and opened from flags, env and .env.
 */
import { createRequire } from 'node:module';
import type TableType from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import { UsageError } from '../../../errors.ts';
import { openAdminSource } from '../../../inspect/admin-source.ts';
import { openDirectSource } from '../../../inspect/direct-source.ts';
import type { Section } from './format-call.ts';
import type { TableRows } from './format.ts';
import type { InspectSource } from '../../../inspect/source.ts';
import { findAdminToken } from '../../admin-token-files.ts';
import type { CliContext } from '../../context.ts';
import { inspectError } from './errors.ts';

export type SourceFlags = {
  redisUrl?: string;
  redisPrefix?: string;
  databaseUrl?: string;
  databaseSchema?: string;
  server?: string;
  adminToken?: string;
  showPii?: boolean;
  watch?: boolean;
};

/** What one refresh produced: the JSON document and its table form. */
export type Frame = { json: unknown; text: (color: ChalkInstance) => string };

const PLAIN_CHARS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/** Stored values come off the network (names, CustomField): control characters must not drive the terminal. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\uFFFD');
}

// cli-table3 (CommonJS) is required on the first table drawn: every command loads this module through the
// command list, and only a few draw tables.
const require = createRequire(import.meta.url);
let Table: typeof TableType | undefined;

export function renderTable(rows: TableRows, color: ChalkInstance, indent = ''): string {
  Table ??= require('cli-table3') as typeof TableType;
  const table = new Table({
    head: rows.head.map((h) => color.bold(h)),
    chars: PLAIN_CHARS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  table.push(...rows.rows.map((row) => row.map(printable)));
  return table
    .toString()
    .split('\n')
    .map((line) => `${indent}${line}`.trimEnd())
    .join('\n');
}

export function renderSections(heading: string, sections: readonly Section[], color: ChalkInstance): string {
  const blocks = sections.map((section) => {
    const warn = section.title.startsWith('mismatches (');
    const title = warn ? color.yellow.bold(section.title) : color.bold(section.title);
    const body = section.table ? renderTable(section.table, color, '  ') : `  ${section.note ?? ''}`;
    return `${title}\n${body}`;
  });
  return [heading, ...blocks].join('\n\n');
}

export function parseServer(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--server "${raw}" is not a URL`, { hint: 'e.g. --server http://127.0.0.1:8000' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--server must be http(s), got "${url.protocol}"`);
  return url.toString().replace(/\/+$/, '');
}

/**
 * Direct when --redis-url/--database-url (or REDIS_URL/DATABASE_URL, also from .env) are set and --server is not;
 * otherwise serve's admin API at --server (default http://127.0.0.1:<PORT or 8000>).
 */
async function openSource(ctx: CliContext, flags: SourceFlags): Promise<InspectSource> {
  if (flags.server !== undefined && (flags.redisUrl !== undefined || flags.databaseUrl !== undefined)) {
    throw new UsageError(
      '--server reads through serve; --redis-url / --database-url read the stores directly: give one or the other',
    );
  }
  const config = await ctx.loadConfig({
    redisUrl: flags.redisUrl,
    redisPrefix: flags.redisPrefix,
    databaseUrl: flags.databaseUrl,
    databaseSchema: flags.databaseSchema,
    adminToken: flags.adminToken,
  });
  if (flags.server === undefined && (config.redisUrl !== undefined || config.databaseUrl !== undefined)) {
    return openDirectSource(config);
  }
  const server = parseServer(flags.server ?? `http://127.0.0.1:${config.port === 0 ? 8000 : config.port}`);
  if (config.adminToken !== undefined) {
    return openAdminSource({
      server,
      token: config.adminToken,
      tokenSource: flags.adminToken !== undefined ? '--admin-token' : 'ADMIN_TOKEN',
    });
  }
  const found = await findAdminToken(ctx.io, server);
  return openAdminSource({ server, token: found.token, tokenSource: found.file });
}

/** Resolves after `ms`, or at once when `stop` is called; never leaves a timer behind. */
function pause(ms: number): { done: Promise<void>; stop: () => void } {
  let stop = () => {};
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    stop = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, stop };
}

function printFrame(ctx: CliContext, frame: Frame, watch: boolean): void {
  const out = ctx.output();
  if (out.json) {
    if (watch) out.printJsonLine(frame.json);
    else out.printJson(frame.json);
    return;
  }
  const text = frame.text(out.color);
  if (!watch) {
    out.result(text);
    return;
  }
  // Clear only a terminal: a file or pipe gets every refresh, one after another, each under its own timestamp.
  const clear = ctx.io.stdout.isTTY ? '\u001b[2J\u001b[H' : '';
  out.result(`${clear}${out.color.dim(`every 1s · ${new Date().toISOString()} · Ctrl-C to stop`)}\n${text}\n`);
}

type Read = (source: InspectSource, watch: boolean) => Promise<Frame>;

/** Open the source, show one frame (or one per second until SIGINT/SIGTERM with --watch), close the source. */
export async function runView(ctx: CliContext, flags: SourceFlags, read: Read): Promise<void> {
  try {
    await showFrames(ctx, flags, read);
  } catch (error) {
    throw inspectError(error);
  }
}

async function showFrames(ctx: CliContext, flags: SourceFlags, read: Read): Promise<void> {
  const watch = flags.watch === true;
  const source = await openSource(ctx, flags);
  let stopped = false;
  let waiting: ReturnType<typeof pause> | undefined;
  const stop = () => {
    stopped = true;
    waiting?.stop();
  };
  const unsubscribe = watch ? ctx.io.onSignal(stop) : () => {};
  // `inspect --watch | head`: once the reader is gone (stdout closed after EPIPE), there is no one to refresh for.
  if (watch) ctx.io.stdout.once('close', stop);
  try {
    do {
      if (ctx.io.stdout.destroyed) break;
      printFrame(ctx, await read(source, watch), watch);
      if (!watch || stopped) break;
      const pending = pause(1000);
      waiting = pending;
      await pending.done;
    } while (!stopped);
  } finally {
    unsubscribe();
    ctx.io.stdout.off('close', stop);
    await source.close();
  }
}
