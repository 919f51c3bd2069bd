/**
 * Playing the scenarios of one `test` run: the target (--url, each scenario's url:, or the server --start-server
 * brings up), the store `state:` reads, a small pool of concurrent calls, --bail, and pretty lines as each
 * scenario finishes (stdout for the pretty reporter or with --out, else stderr so the report stays clean).
 */
import type { Config } from '../../../config.ts';
import { UsageError } from '../../../errors.ts';
import { normalizePhoneIN } from '../../../exotel/phone.ts';
import type { InspectSource } from '../../../inspect/source.ts';
import type { PrettyLine, Totals } from '../../../scenarios/report.ts';
import type { StateReader } from '../../../scenarios/state.ts';
import type { Scenario, ScenarioResult } from '../../../scenarios/types.ts';
import type { BuildCallOptions } from '../../../simulate/run.ts';
import type { CliContext } from '../../context.ts';
import { resolveCustomer } from '../../customer-flags.ts';
import type { Output } from '../../output.ts';

export type RunFlags = { url?: string; bail?: boolean; startServer?: boolean; reporter: string; out?: string };
type Limits = { timeoutMs: number; maxSteps: number; concurrency: number };

function phone(raw: string, where: string): string {
  const e164 = normalizePhoneIN(raw);
  if (e164 === undefined) throw new UsageError(`${where}: ${JSON.stringify(raw)} is not an Indian phone number`);
  return e164;
}

async function preparer(config: Config): Promise<(scenario: Scenario, url: string) => BuildCallOptions> {
  const { defaultCustomer } = await import('../simulate/customer.ts');
  return (scenario, url) => {
    const where = `${scenario.at.file}:${scenario.at.line}`;
    if (!URL.canParse(url)) throw new UsageError(`${where}: scenario "${scenario.name}" has no URL to call: give --url, url:, or --start-server`);
    const from = scenario.call?.from;
    const flags = { ...scenario.customer, ...(from !== undefined ? { phone: from } : {}) };
    const built: BuildCallOptions = {
      url,
      method: scenario.call?.method ?? 'GET',
      exophone: phone(scenario.call?.to ?? config.exophone, `${where} call.to`),
      overrides: Object.entries(scenario.call?.params ?? {}),
      customer: resolveCustomer({ defaults: defaultCustomer(new Date()), flags }),
    };
    if (config.webhookKey !== undefined) built.key = config.webhookKey;
    return built;
  };
}

/** state: through REDIS_URL / DATABASE_URL, else serve's admin API with ADMIN_TOKEN; none when neither is set. */
async function stateSource(config: Config, url: string | undefined): Promise<InspectSource | undefined> {
  if (config.redisUrl !== undefined || config.databaseUrl !== undefined) {
    const { openDirectSource } = await import('../../../inspect/direct-source.ts');
    return openDirectSource(config);
  }
  if (config.adminToken === undefined || url === undefined) return undefined;
  const { openAdminSource } = await import('../../../inspect/admin-source.ts');
  return openAdminSource({ server: new URL(url).origin, token: config.adminToken, tokenSource: 'ADMIN_TOKEN' });
}

function printer(ctx: CliContext, flags: RunFlags): (lines: PrettyLine[]) => void {
  const out: Output = ctx.output();
  const toStdout = flags.reporter === 'pretty' || flags.out !== undefined;
  const paint = { ok: out.color.green, fail: out.color.red, dim: out.color.dim, plain: (t: string) => t };
  return (lines) => {
    for (const line of lines) {
      const text = paint[line.tone](line.text);
      if (toStdout) out.result(text);
      else ctx.io.stderr.write(`${text}\n`);
    }
  };
}

async function pool(scenarios: readonly Scenario[], size: number, bail: boolean, play: (s: Scenario) => Promise<ScenarioResult>): Promise<ScenarioResult[]> {
  const results: Array<ScenarioResult | undefined> = [];
  let next = 0;
  let stop = false;
  const worker = async () => {
    while (!stop && next < scenarios.length) {
      const index = next++;
      const result = await play(scenarios[index] as Scenario);
      results[index] = result;
      if (bail && !result.ok) stop = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, scenarios.length) }, worker));
  return results.filter((r): r is ScenarioResult => r !== undefined);
}

export async function runAll(ctx: CliContext, scenarios: readonly Scenario[], flags: RunFlags & Limits): Promise<{ results: ScenarioResult[]; totals: Totals }> {
  const started = performance.now();
  const config = await ctx.loadConfig();
  const { runScenario } = await import('../../../scenarios/run.ts');
  const { prettyScenario, prettySummary, totals } = await import('../../../scenarios/report.ts');
  const hermetic = flags.startServer ? await (await import('./hermetic.ts')).startHermetic(ctx.io.cwd) : undefined;
  const wantsState = scenarios.some((s) => s.state !== undefined);
  let source: InspectSource | undefined;
  try {
    source = hermetic === undefined && wantsState ? await stateSource(config, flags.url ?? scenarios.find((s) => s.url)?.url) : undefined;
    const state: StateReader | undefined = hermetic?.state ?? (source ? { read: (sid) => (source as InspectSource).call(sid) } : undefined);
    const prepare = await preparer(config);
    const print = printer(ctx, flags);
    const url = hermetic?.url ?? flags.url;
    const results = await pool(scenarios, flags.concurrency, flags.bail === true, async (scenario) => {
      const result = await runScenario(scenario, { prepare, ...(url ? { url } : {}), timeoutMs: flags.timeoutMs, maxSteps: flags.maxSteps, ...(state ? { state } : {}) });
      print(prettyScenario(result));
      return result;
    });
    const sum = totals(results, Math.round(performance.now() - started));
    print([prettySummary(sum)]);
    return { results, totals: sum };
  } finally {
    await source?.close();
    await hermetic?.close();
  }
}
