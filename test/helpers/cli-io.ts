// A CliIO that keeps what a command writes, for tests of the command line.
import type { CliIO } from '../../cli/command.ts';

export interface CapturedIO extends CliIO {
  stdout(): string;
  stderr(): string;
  /** What was written with writeBytes (export's mboxrd), byte-exact. */
  bytes(): Buffer;
}

export function captureIO(): CapturedIO {
  let out = '';
  let err = '';
  const bytes: Buffer[] = [];
  return {
    out: (s) => void (out += s),
    err: (s) => void (err += s),
    writeBytes: (b) => void bytes.push(Buffer.from(b)),
    isTTY: false,
    stdout: () => out,
    stderr: () => err,
    bytes: () => Buffer.concat(bytes),
  };
}
