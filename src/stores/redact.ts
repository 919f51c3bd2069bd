/** Connection URLs appear in error messages; their passwords must not. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return '<invalid url>';
  }
}

export function causeMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return causeMessage(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
