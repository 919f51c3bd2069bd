/**
 * The customer as the bot uses it, and the longest value each text field may hold. `url --csv` rejects a row
 * over a limit and `serve` truncates to it, so both read this one table: a URL that `url` wrote arrives at
 * `serve` intact. Pure: types and constants only.
 */
import type { CustomerField } from '../exotel/customer.ts';

/** Normalised customer as the bot uses it; every field but the id may be missing. */
export type Customer = {
  customer_id: string;
  customer_name?: string;
  phone?: string;
  loan_id?: string;
  amount?: number;
  due_date?: string;
  state?: string;
  language_code?: string;
  temp_call_id?: string;
};

/** Characters (UTF-16 code units, as `String.length` counts) per free-text field; fields not listed are parsed, not measured. */
export const CUSTOMER_FIELD_MAX_LENGTH: Readonly<Partial<Record<CustomerField, number>>> = {
  customer_id: 100,
  customer_name: 200,
  loan_id: 100,
  state: 100,
  temp_call_id: 100,
};
