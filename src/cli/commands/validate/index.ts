/**
 * `exo-passthru validate <file|url|->...`: the strict ExoML linter, and the JSON / text checks of the
 * Gather, Connect and Greeting dynamic URLs. The rules live in src/exoml/ and the URL fetch in src/validate/;
 * this folder reads sources, prints the findings and sets the exit code (0 clean · 1 findings at the failing
 * severity · 2 usage · 3 unreachable).
 */
import { Option, type Command } from 'commander';
import { EXIT, UnreachableError } from '../../../errors.ts';
import { SURFACE_KINDS } from '../../../exoml/http-response.ts';
import type { CliContext } from '../../context.ts';
import { parseMethod, parseTimeout, type ValidateCommandOptions } from './options.ts';
import type { SourceReport } from './report.ts';
import { resolveSources } from './sources.ts';

const HELP = `
Sources: files (several, or a glob such as 'responses/*.xml'), '-' for stdin, or http(s) URLs. A URL is fetched
the way Exotel would: GET with Exotel-shaped call parameters (CallSid, CallFrom, CallTo,
Direction=outbound-dial, Created, flow_id, …) appended to its own query string, 'Exotel-Version: 1.0' for --kind gather-json and
connect-json, HEAD then GET for --kind greeting, no redirects followed (a 3xx is a finding), and the status and
Content-Type are checked too (ExoML: text/xml or application/xml; Gather/Connect: application/json; Greeting:
exactly text/plain).

Kinds: exoml (the <Response> dialect), gather-json and connect-json (App Bazaar dynamic-URL JSON), greeting
(the Greeting applet's text/plain body). Without --kind: '<' first → exoml; JSON with gather_prompt →
gather-json; with destination → connect-json; anything else → greeting.

Output: one line per finding, 'source:line:col severity code message', and an indented hint; a summary on
stderr. --json prints [{source, kind, findings: [{code, severity, message, hint, line, column, path}]}].
Every code is listed in docs/exoml-codes.md.

Severities: error (Exotel cannot run it), warning (it runs, probably not as meant), info (an opinion Exotel's own
examples do not follow: no XML declaration, a relative URL, no callerId, no terminal verb, a Gather without action).

Exit: 0 clean · 1 an error (with --strict: a warning too; with --pedantic: any finding) · 2 usage (no such file, bad --kind) · 3 a URL did not
answer (connection refused, unknown host, timeout). simulate uses the same codes (README "Exit codes").

Examples:
  $ exo-passthru validate response.xml
  $ exo-passthru validate 'fixtures/exoml/valid/*.xml' --strict
  $ curl -s https://bot.example.com/passthru-handler | exo-passthru validate -
  $ exo-passthru validate http://127.0.0.1:8000/passthru-handler --strict
  $ exo-passthru validate https://bot.example.com/gather-config --kind gather-json
  $ exo-passthru --json validate a.xml b.json > report.json`;

export function registerValidate(program: Command, ctx: CliContext): Command {
  return program
    .command('validate')
    .description(
      'lint ExoML (and Gather/Connect JSON, Greeting text) from files, stdin or URLs: codes, line:col, hints',
    )
    .argument('<sources...>', "files, globs, '-' for stdin, or http(s) URLs")
    .addOption(
      new Option('--kind <kind>', 'what the sources are (default: detected from the content)').choices(SURFACE_KINDS),
    )
    .option('--strict', 'warnings fail too (exit 1); infos do not')
    .option('--pedantic', 'warnings and infos fail (exit 1): --strict plus the style opinions')
    .option('--allow-twiml-extras', 'accept <Pause length> (TwiML; not documented by Exotel)')
    .option('--method <method>', 'for URLs: GET or POST (POST sends the call parameters as a form)', 'GET')
    .option('--timeout <ms>', 'for URLs: time budget for the answer, in milliseconds', '5000')
    .addHelpText('after', HELP)
    .action(async (args: string[], options: ValidateCommandOptions) => {
      parseTimeout(options.timeout);
      parseMethod(options.method);
      const out = ctx.output();
      const sources = await resolveSources(ctx, args);
      // The rules (fast-xml-parser) and the HTTP client (undici) load only when there is something to check.
      const [{ check }, { formatFindings, formatSummary }] = await Promise.all([
        import('./check.ts'),
        import('./report.ts'),
      ]);
      const reports: SourceReport[] = [];
      let unreachable = 0;
      for (const source of sources) {
        try {
          reports.push(await check(ctx, source, options));
        } catch (error) {
          if (!(error instanceof UnreachableError)) throw error;
          unreachable += 1;
          out.error(error);
          reports.push({ source: source.label, kind: options.kind ?? null, findings: [], error: error.message });
        }
        const last = reports[reports.length - 1];
        if (last && !ctx.globals().json) for (const line of formatFindings(last, out)) out.result(line);
      }
      if (ctx.globals().json) out.printJson(reports);
      const { text, failed } = formatSummary(reports, options.strict === true, options.pedantic === true);
      out.info(text);
      ctx.setExitCode(unreachable > 0 ? EXIT.unreachable : failed ? EXIT.checkFailed : EXIT.ok);
    });
}
