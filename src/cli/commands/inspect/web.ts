/**
 * `inspect --web`: the browser call inspector of a running serve, opened in the user's browser. The admin token is
 * found as `inspect --server` finds it (ADMIN_TOKEN / --admin-token, else serve's admin-token-<port> file for a
 * loopback server) and handed to the page in the URL fragment, which browsers never send: it stays out of the
 * server's logs, and the page moves it to sessionStorage and clears the fragment.
 */
import { UsageError } from '../../../errors.ts';
import { findAdminToken } from '../../admin-token-files.ts';
import type { CliContext } from '../../context.ts';
import { parseServer } from './view.ts';

export type WebFlags = { web?: boolean; server?: string; adminToken?: string };

async function tokenFor(ctx: CliContext, server: string, flags: WebFlags): Promise<string> {
  const config = await ctx.loadConfig({ adminToken: flags.adminToken });
  if (config.adminToken !== undefined) return config.adminToken;
  const found = await findAdminToken(ctx.io, server);
  if (found.token !== undefined) return found.token;
  throw new UsageError(`no admin token for ${server}`, {
    hint: found.file
      ? `serve writes it to ${found.file} when it starts without ADMIN_TOKEN; is serve running on that port? Else pass --admin-token`
      : 'a server that is not on this machine needs its token: --admin-token or ADMIN_TOKEN',
  });
}

export async function openInspectorPage(ctx: CliContext, flags: WebFlags): Promise<void> {
  const config = await ctx.loadConfig({});
  const server = parseServer(flags.server ?? `http://127.0.0.1:${config.port === 0 ? 8000 : config.port}`);
  const token = await tokenFor(ctx, server, flags);
  const url = `${server}/_inspect#token=${encodeURIComponent(token)}`;
  const out = ctx.output();
  if (out.json) {
    out.printJson({ url });
    return;
  }
  const opened = ctx.io.openUrl ? await ctx.io.openUrl(url) : false;
  if (opened) {
    out.info(`opened the call inspector of ${server} in your browser`);
    return;
  }
  out.info('no browser to open here: open this URL (it carries the admin token; keep it to yourself)');
  out.result(url);
}
