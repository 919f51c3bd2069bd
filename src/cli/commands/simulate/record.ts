/** `simulate --record <file>`: the call just played, written as a scenario file (src/scenarios/record.ts). */
import { writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { errorMessage, UsageError } from '../../../errors.ts';
import { CUSTOMER_FIELDS, type CustomerInput } from '../../../exotel/customer.ts';
import type { DigitFlavour } from '../../../simulate/digits.ts';
import type { CallRecord } from '../../../simulate/types.ts';
import type { CliContext } from '../../context.ts';

type Recorded = { url: string; customer: CustomerInput; digitParam: DigitFlavour };

export async function saveRecording(ctx: CliContext, file: string, record: CallRecord, call: Recorded): Promise<void> {
  const { recordScenario } = await import('../../../scenarios/record.ts');
  const customer: CustomerInput = {};
  for (const field of CUSTOMER_FIELDS) {
    const value = call.customer[field];
    if (value !== undefined && value !== '' && field !== 'temp_call_id') customer[field] = String(value);
  }
  const text = recordScenario(record, { name: basename(file).replace(/\.ya?ml$/i, ''), url: call.url, customer, digitParam: call.digitParam });
  const path = isAbsolute(file) ? file : join(ctx.io.cwd, file);
  try {
    await writeFile(path, text);
  } catch (error) {
    throw new UsageError(`cannot write --record ${file}: ${errorMessage(error)}`, { cause: error });
  }
  ctx.output().info(`recorded the call as a scenario: ${file}`);
}
