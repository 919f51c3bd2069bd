/**
 * `simulate --flavor applet`: the call walked through an App Bazaar flow file (src/appflow/), against serve's applet
 * endpoints or a team's own. Reads the flow file (relative to the working directory), words the exit code: 3 when
 * an applet URL did not answer a connection at all, 1 for an error ending, a failed --expect, an undelivered
 * StatusCallback or (with --strict) a finding or a Passthru that timed out.
 */
import { EXIT, UnreachableError } from '../../../errors.ts';
import type { DigitSourceOptions } from '../../../simulate/digits.ts';
import type { Expectation } from '../../../simulate/expect.ts';
import type { Line } from '../../../simulate/report.ts';
import type { CliContext } from '../../context.ts';
import { loadFlow } from '../../flow-file.ts';

export type AppletFlags = {
  flow?: string;
  statusCallback?: string;
  statusJson?: boolean;
  strict?: boolean;
  e164?: boolean;
};

type Call = {
  base: string;
  customer: import('../../../exotel/customer.ts').CustomerInput;
  phone: string;
  exophone: string;
  timeoutMs: number;
  maxSteps: number;
  input: DigitSourceOptions;
  expectations: readonly Expectation[];
  onLines: (lines: Line[]) => void;
};

export async function runAppletSimulate(ctx: CliContext, flags: AppletFlags, call: Call): Promise<void> {
  const flow = await loadFlow(ctx, flags.flow);
  const { runAppletCall } = await import('../../../simulate/applet-run.ts');
  const { toFlowJsonDocument } = await import('../../../simulate/applet-report.ts');
  const { record, results } = await runAppletCall({
    flow,
    ...call,
    ...(flags.e164 ? { e164: true } : {}),
    ...(flags.statusCallback !== undefined ? { statusCallback: flags.statusCallback } : {}),
    ...(flags.statusJson ? { statusJson: true } : {}),
  });
  if (ctx.globals().json) ctx.output().printJson(toFlowJsonDocument(record, results));
  if (record.unreachable) {
    throw new UnreachableError('server', record.outcome.reason || 'an applet URL refused the connection', {
      hint: 'start it with: exo-passthru serve (or give the base URL of your applet endpoints)',
    });
  }
  const findings = record.steps.flatMap((step) => step.findings).filter((f) => f.severity !== 'info').length;
  const silent = record.steps.some((step) => step.exchange?.silent);
  const undelivered = record.statusCallback !== undefined && !record.statusCallback.delivered;
  if (record.outcome.kind === 'error' || results.some((r) => !r.ok) || undelivered) ctx.setExitCode(EXIT.checkFailed);
  else if (flags.strict === true && (findings > 0 || silent)) {
    ctx.output().warn(`--strict: ${findings} finding(s)${silent ? ', a Passthru timed out' : ''}; exit 1`);
    ctx.setExitCode(EXIT.checkFailed);
  }
}
