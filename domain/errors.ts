// Every error loregraph reports on purpose comes from this registry, so that the
// CLI's exit code, the API's HTTP status and the `code` field a script matches on
// stay stable whichever layer raised it.

export const ERRORS = {
  USAGE: { exit: 2, http: 400, text: 'bad usage' },
  NOT_FOUND: { exit: 1, http: 404, text: 'not found' },
  // An abbreviated id that more than one thing starts with: the caller says which (details.candidates).
  AMBIGUOUS: { exit: 2, http: 400, text: 'ambiguous id' },
  BAD_QUERY: { exit: 2, http: 400, text: 'malformed query' },
  BAD_INPUT: { exit: 1, http: 400, text: 'bad input' },
  DB_TOO_NEW: { exit: 1, http: 500, text: 'database is newer than this loregraph' },
  DB_OPEN: { exit: 1, http: 500, text: 'cannot open database' },
  DB_DAMAGED: { exit: 1, http: 500, text: 'database is damaged' },
  SOURCE_UNREADABLE: { exit: 1, http: 500, text: 'cannot read source' },
  SCENARIO_INVALID: { exit: 1, http: 422, text: 'invalid scenario' },
  LIMIT: { exit: 2, http: 400, text: 'request exceeds a limit' },
  BUSY: { exit: 1, http: 503, text: 'busy, try again shortly' },
  TIMEOUT: { exit: 1, http: 504, text: 'took too long and was stopped' },
  INTERNAL: { exit: 1, http: 500, text: 'internal error' },
} as const satisfies Record<string, { exit: number; http: number; text: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class LoregraphError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'LoregraphError';
    this.code = code;
    this.details = details;
  }

  get exitCode(): number {
    return ERRORS[this.code].exit;
  }

  get httpStatus(): number {
    return ERRORS[this.code].http;
  }
}

export function isLoregraphError(e: unknown): e is LoregraphError {
  return e instanceof LoregraphError;
}
