// The simulator's own error type: sim/ depends on nothing else of ours, so the CLI and
// the API map these stable codes onto their registries (SCENARIO_INVALID, NOT_FOUND, ...).
import type { Pos } from './ast.ts';

export type SimErrorCode =
  /** The YAML is not a valid scenario (syntax, schema, unknown names). */
  | 'SIM_INVALID'
  /** No such scenario, variant, config, thread or macro. */
  | 'SIM_NOT_FOUND'
  /** A witness does not replay on the model it claims to come from. */
  | 'SIM_REPLAY'
  /** A caller passed a bad option (negative bound, ...). */
  | 'SIM_USAGE';

export class SimError extends Error {
  readonly code: SimErrorCode;
  readonly pos: Pos | undefined;

  constructor(code: SimErrorCode, message: string, pos?: Pos) {
    super(pos ? `${pos.file}:${pos.line}:${pos.col}: ${message}` : message);
    this.name = 'SimError';
    this.code = code;
    this.pos = pos;
  }
}

export function isSimError(e: unknown): e is SimError {
  return e instanceof SimError;
}
