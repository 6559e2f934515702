/** A row that cannot become a post: names the field and says why, for the quarantine. */
export class RowError extends Error {
  constructor(readonly field: string, readonly reason: string) {
    super(`${field}: ${reason}`);
  }
}

/** Throws a RowError; for use in expressions (`value ?? fail('id', 'is missing')`). */
export function fail(field: string, reason: string): never {
  throw new RowError(field, reason);
}
