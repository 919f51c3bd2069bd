/**
 * `exo-passthru inspect sessions | calls | call <CallSid>`: what the server remembered, Redis sessions
 * and PostgreSQL call rows side by side, read directly or through serve's admin API. Never writes.
 */
import { Option, type Command } from 'commander';
import { OUTCOMES, type Outcome } from '../../../domain/call.ts';
import { CheckFailedError, UsageError } from '../../../errors.ts';
import { callJson, callSections } from './format-call.ts';
import {
  callsJson,
  callsTable,
  describeSource,
  formatTime,
  sessionsJson,
  sessionsTable,
  type FormatOptions,
} from './format.ts';
import { findMismatches } from '../../../inspect/mismatch.ts';
import { parseSince } from './since.ts';
import type { InspectSource } from '../../../inspect/source.ts';
import { parseWholeNumber } from '../../../util/whole-number.ts';
import type { CliContext } from '../../context.ts';
import { renderSections, renderTable, runView, type Frame, type SourceFlags } from './view.ts';
import { openInspectorPage, type WebFlags } from './web.ts';

type SessionsFlags = SourceFlags & { callSid?: string; customerId?: string; limit?: string };
type CallsFlags = SourceFlags & { customerId?: string; outcome?: Outcome; since?: string; limit?: string };

const SOURCES_HELP = `
Sources: with --redis-url / --database-url (or REDIS_URL / DATABASE_URL, also from .env) inspect reads the
stores directly: Redis by SCAN over the key prefix (never KEYS), PostgreSQL on read-only connections, no
migrations. Otherwise it asks serve's admin API at --server (default http://127.0.0.1:<PORT or 8000>) with the
token from --admin-token, ADMIN_TOKEN, or the file serve wrote for that port: .exo-passthru/admin-token-<port>
in the working directory, else admin-token-<port> in $XDG_RUNTIME_DIR/exo-passthru (or ~/.exo-passthru), read
for a loopback --server only. That is how the embedded in-memory sessions and PGlite history are inspected.
Phone numbers are masked (last 4 digits kept) unless --show-pii. --json prints the stable shape of
docs/inspect-json.md; with --watch, one JSON line per refresh.

Exit: 0 shown · 1 inspect call found neither a session nor a call row · 2 usage (bad flag, 401 from serve) ·
3 Redis, PostgreSQL or serve unreachable, or serve's answer unusable (over 5 s, over 16 MB, not the admin API's
JSON).`;

function addSourceOptions(command: Command): Command {
  return command
    .option('--redis-url <url>', 'read sessions from this Redis (env REDIS_URL)')
    .option('--redis-prefix <prefix>', 'session key prefix (env REDIS_PREFIX, default exo-passthru:session:)')
    .option('--database-url <url>', 'read call rows from this PostgreSQL, read-only (env DATABASE_URL)')
    .option('--database-schema <name>', 'PostgreSQL schema (env DATABASE_SCHEMA, default public)')
    .option('--server <url>', "read through serve's admin API (default http://127.0.0.1:<PORT or 8000>)")
    .option('--admin-token <token>', "serve's admin token (env ADMIN_TOKEN, else serve's admin-token-<port> file)")
    .option('--show-pii', 'show phone numbers unmasked')
    .option('--watch', 'refresh every second until Ctrl-C');
}

/**
 * The subcommand's flags with the --server and --admin-token that `inspect` itself declares (for --web): commander
 * gives an option both declare to the parent, wherever it is written, so the subcommands read it from there.
 */
function withParent<T extends SourceFlags>(inspect: Command, flags: T): T {
  const parent = inspect.opts<{ server?: string; adminToken?: string }>();
  return {
    ...flags,
    ...(flags.server === undefined && parent.server !== undefined ? { server: parent.server } : {}),
    ...(flags.adminToken === undefined && parent.adminToken !== undefined ? { adminToken: parent.adminToken } : {}),
  };
}

function parseLimit(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const limit = parseWholeNumber(raw, { min: 1, max: 1000 });
  if (limit === undefined) throw new UsageError(`--limit must be a whole number from 1 to 1000, got "${raw}"`);
  return limit;
}

function formatOptions(flags: SourceFlags): FormatOptions {
  return { showPii: flags.showPii === true, now: new Date() };
}

function listFrame(json: unknown, heading: string, table: Parameters<typeof renderTable>[0], empty: string): Frame {
  return { json, text: (color) => `${heading}\n\n${table.rows.length === 0 ? empty : renderTable(table, color)}` };
}

function registerSessions(inspect: Command, ctx: CliContext): Command {
  return addSourceOptions(
    inspect.command('sessions').description('sessions (Redis or serve), newest first, with age and remaining TTL'),
  )
    .option('--call-sid <sid>', 'only this CallSid')
    .option('--customer-id <id>', 'only this customer')
    .option('--limit <n>', 'at most n sessions, 1-1000 (default 50)')
    .addHelpText(
      'after',
      `${SOURCES_HELP}

Examples:
  $ exo-passthru inspect sessions --redis-url redis://127.0.0.1:6379
  $ exo-passthru inspect sessions --customer-id cust_123 --json
  $ exo-passthru inspect sessions --watch                 # through the local serve, refreshed every second`,
    )
    .action(async (own: SessionsFlags) => {
      const flags = withParent(inspect, own);
      const limit = parseLimit(flags.limit);
      const query = { callSid: flags.callSid, customerId: flags.customerId, limit };
      await runView(ctx, flags, async (source) => {
        const entries = await source.sessions(
          Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)),
        );
        const options = formatOptions(flags);
        return listFrame(
          sessionsJson(entries, source.description, options),
          describeSource(source.description),
          sessionsTable(entries, options),
          '(no sessions)',
        );
      });
    });
}

/** `no-input` as `simulate --expect` spells it, `no_input` as the stores do: one outcome either way. */
function parseOutcome(raw: string): Outcome {
  const value = raw.trim().replaceAll('-', '_');
  const outcome = OUTCOMES.find((o) => o === value);
  if (outcome === undefined)
    throw new UsageError(`--outcome ${JSON.stringify(raw)}: expected one of ${OUTCOMES.join(', ')}`);
  return outcome;
}

function registerCalls(inspect: Command, ctx: CliContext): Command {
  return addSourceOptions(inspect.command('calls').description('call rows (PostgreSQL or serve), newest first'))
    .option('--customer-id <id>', 'only this customer')
    .addOption(
      new Option('--outcome <outcome>', `only this outcome: ${OUTCOMES.join(', ')} (- or _ alike)`).argParser(
        parseOutcome,
      ),
    )
    .option('--since <when>', 'started since: 30m, 1h, 2d, 1w, or a date/time (2025-08-11, 2025-08-11T10:30:00Z)')
    .option('--limit <n>', 'at most n rows, 1-1000 (default 50)')
    .addHelpText(
      'after',
      `${SOURCES_HELP}

Examples:
  $ exo-passthru inspect calls --database-url postgres://postgres@127.0.0.1:5432/test --since 1h
  $ exo-passthru inspect calls --outcome agent_transfer --limit 10 --json
  $ exo-passthru inspect calls --customer-id cust_123 --since 2025-08-11`,
    )
    .action(async (own: CallsFlags) => {
      const flags = withParent(inspect, own);
      const limit = parseLimit(flags.limit);
      const since = flags.since === undefined ? undefined : parseSince(flags.since, new Date());
      const query = { customerId: flags.customerId, outcome: flags.outcome, since, limit };
      await runView(ctx, flags, async (source) => {
        const rows = await source.calls(Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)));
        return listFrame(
          callsJson(rows, source.description, formatOptions(flags)),
          describeSource(source.description),
          callsTable(rows),
          '(no calls)',
        );
      });
    });
}

async function readCallFrame(
  source: InspectSource,
  callSid: string,
  flags: SourceFlags,
  watch: boolean,
): Promise<Frame> {
  const detail = await source.call(callSid);
  const { description } = source;
  if (detail === undefined && !watch) {
    throw new CheckFailedError(`no session and no call row for CallSid ${callSid}`, {
      hint: `check the CallSid (inspect calls / inspect sessions list recent ones) and that this is the right source (${describeSource(description)})`,
    });
  }
  const options = formatOptions(flags);
  const bothRead = description.sessions !== null && description.history !== null;
  const stores = { sessions: description.sessions ?? 'sessions', history: description.history ?? 'history' };
  const mismatches = detail && bothRead ? findMismatches({ session: detail.session, call: detail.call, stores }) : [];
  const json = callJson(callSid, detail, mismatches, description, options);
  const heading = `call ${callSid} · ${describeSource(description)}`;
  return {
    json,
    text: (color) =>
      detail === undefined
        ? `${heading}\n\nno session and no call row (yet)`
        : renderSections(heading, callSections(json, options), color),
  };
}

/** No CallSid given: on a terminal, the recent calls to choose from (asked once, also under --watch). */
function chooseCall(ctx: CliContext): ((source: InspectSource) => Promise<string>) | undefined {
  const select = ctx.io.stdin.isTTY ? ctx.io.prompts?.select : undefined;
  if (!select) return undefined;
  let chosen: string | undefined;
  return async (source) => {
    if (chosen !== undefined) return chosen;
    const rows = await source.calls({ limit: 20 });
    if (rows.length === 0)
      throw new UsageError('no calls yet to choose from: give a CallSid', {
        hint: 'inspect sessions lists the calls still in progress',
      });
    const choices = rows.map((row) => ({
      name: `${row.call_sid}  ${formatTime(row.started_at)}  ${row.outcome ?? row.status}`,
      value: row.call_sid,
      ...(row.customer_id ? { description: `customer ${row.customer_id}` } : {}),
    }));
    chosen = await select({ message: 'call to inspect (newest first)', choices });
    return chosen;
  };
}

function registerCall(inspect: Command, ctx: CliContext): Command {
  return addSourceOptions(
    inspect
      .command('call')
      .argument('[CallSid]', 'the call (on a terminal, omit it to choose among recent calls)')
      .description('one call in full: session + TTL, call row, customer, events, mismatches'),
  )
    .addHelpText(
      'after',
      `${SOURCES_HELP}

Mismatches called out: a digit or outcome in the session that never reached the call row (or the other way),
state / language / customer that differ, a session that expired while the row is not ended, a session whose
call row is missing.

Examples:
  $ exo-passthru inspect call CA1234567890abcdef
  $ exo-passthru inspect call CA1234567890abcdef --redis-url redis://127.0.0.1:6379 --database-url postgres://…/db
  $ exo-passthru inspect call CA1234567890abcdef --watch --json`,
    )
    .action(async (callSid: string | undefined, own: SourceFlags) => {
      const flags = withParent(inspect, own);
      const choose = callSid === undefined ? chooseCall(ctx) : undefined;
      if (callSid === undefined && choose === undefined) {
        throw new UsageError("missing argument 'CallSid'", {
          hint: 'exo-passthru inspect call <CallSid> (inspect calls lists recent ones)',
        });
      }
      await runView(ctx, flags, async (source, watch) =>
        readCallFrame(source, callSid ?? (await choose?.(source)) ?? '', flags, watch),
      );
    });
}

export function registerInspect(program: Command, ctx: CliContext): Command {
  const inspect = program
    .command('inspect')
    .description('read-only view of sessions (Redis) and call rows (PostgreSQL), directly or through serve')
    .option('--web', "open serve's browser call inspector (/_inspect), live, in your browser")
    .option('--server <url>', 'with --web: the server (default http://127.0.0.1:<PORT or 8000>)')
    .option(
      '--admin-token <token>',
      "with --web: serve's admin token (env ADMIN_TOKEN, else serve's admin-token-<port> file)",
    )
    .addHelpText(
      'after',
      `${SOURCES_HELP}

--web opens the page with the admin token in the URL fragment (#token=…), which browsers never send to the
server; the page keeps it for the tab. With --json, or where there is no display, it prints the URL instead.

Examples:
  $ exo-passthru inspect sessions
  $ exo-passthru inspect calls --since 1h --outcome declined
  $ exo-passthru inspect call CA1234567890abcdef --show-pii
  $ exo-passthru inspect --web --server http://127.0.0.1:8000`,
    )
    .action(async (flags: WebFlags) => {
      if (flags.web !== true)
        throw new UsageError('inspect needs a subcommand (sessions, calls, call) or --web', {
          hint: 'exo-passthru inspect --help',
        });
      await openInspectorPage(ctx, flags);
    });
  // program.ts sets exitOverride on what this returns; subcommands do not inherit settings made afterwards.
  for (const sub of [registerSessions(inspect, ctx), registerCalls(inspect, ctx), registerCall(inspect, ctx)])
    sub.exitOverride();
  return inspect;
}
