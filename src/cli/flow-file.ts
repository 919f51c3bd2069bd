/** The `--flow <file>` of `simulate` and `serve`: an App Bazaar flow file read against the working directory, or the bundled flow. */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { AppletFlow } from '../appflow/types.ts';
import { errorMessage, UsageError } from '../errors.ts';
import type { CliContext } from './context.ts';

export async function loadFlow(ctx: CliContext, file: string | undefined): Promise<AppletFlow> {
  if (file === undefined) return (await import('../appflow/collections.ts')).COLLECTIONS_FLOW;
  let text: string;
  try {
    text = await readFile(isAbsolute(file) ? file : join(ctx.io.cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --flow ${file}: ${errorMessage(error)}`, { cause: error });
  }
  return (await import('../appflow/parse.ts')).parseFlow(text, file);
}
