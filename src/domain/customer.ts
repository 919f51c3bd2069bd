/** The customer as the bot uses it. Pure: types only. */

/** Normalised customer; every field but the id may be missing. */
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
