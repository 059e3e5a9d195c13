import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LoregraphError } from '../domain/errors.ts';

/** Where a command writes; tests pass their own to capture output. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  writeBytes(bytes: Uint8Array): void;
  /** Whether progress bars may be drawn (stderr is a terminal). */
  isTTY: boolean;
  /** The terminal's width when stdout is one; unset when piped, where nothing is cut to fit. */
  columns?: number;
}

export interface Command {
  help: string;
  /** Returns the process exit code: 0 ok, 1 runtime failure, 2 bad usage. */
  run(argv: string[], io: CliIO): Promise<number>;
}

export const DEFAULT_DB = 'data/loregraph.db';

/** node:util parseArgs, with usage errors turned into LoregraphError('USAGE'). */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw new LoregraphError('USAGE', e instanceof Error ? e.message : String(e));
  }
}

/** Message-ids are accepted with or without angle brackets; stored without. */
export function normalizeMessageId(id: string): string {
  const t = id.trim();
  return t.startsWith('<') && t.endsWith('>') ? t.slice(1, -1).trim() : t;
}

export function printJson(io: CliIO, value: unknown): void {
  io.out(JSON.stringify(value, null, 2) + '\n');
}
