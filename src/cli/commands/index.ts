/** Every subcommand registers itself here; each returns its commander Command. */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { registerInspect } from './inspect/index.ts';
import { registerServe } from './serve.ts';
import { registerSimulate } from './simulate/index.ts';
import { registerStream } from './stream/index.ts';
import { registerTest } from './test/index.ts';
import { registerTrigger } from './trigger/index.ts';
import { registerUrl } from './url/index.ts';
import { registerValidate } from './validate/index.ts';

export type RegisterCommand = (program: Command, ctx: CliContext) => Command;

export const COMMANDS: readonly RegisterCommand[] = [
  registerServe,
  registerUrl,
  registerSimulate,
  registerValidate,
  registerInspect,
  registerTest,
  registerStream,
  registerTrigger,
];
