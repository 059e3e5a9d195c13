// What counts as an mbox `From ` separator line. Only lines that look like a real
// envelope (a sender token, then a time and a year) split messages: git's own test
// mbox carries an unquoted "From not mangled ..." line inside a message, and fuzzed
// files carry "From xl.org, ..." continuation lines. The first line of a file is
// the exception (see `isFirstEnvelope`): it is the envelope whatever it holds.

export const DEFAULT_ENVELOPE = 'From mboxrd@z Thu Jan  1 00:00:00 1970';

/** Envelope lines longer than this are not envelopes (RFC 5322's line limit). */
export const MAX_ENVELOPE_LENGTH = 998;

const TIME_THEN_YEAR = /^From \S*\s.*\d:\d\d.*\d{4}/;
const YEAR_THEN_TIME = /^From \S*\s.*\d{4}.*\d:\d\d/;

/** `line` without its newline (a trailing CR is tolerated). */
export function isEnvelopeLine(line: string): boolean {
  if (!line.startsWith('From ') || line.length > MAX_ENVELOPE_LENGTH) return false;
  return TIME_THEN_YEAR.test(line) || YEAR_THEN_TIME.test(line);
}

/** Header fields run into the same line ("... 1970 Return-Path: X-Spam: ..."). */
const RUN_IN_FIELD = /\s[A-Za-z][A-Za-z0-9-]*:(?=\s|$)/g;

/**
 * The first line of a file is an envelope when it starts `From ` and is a plausible
 * line: not over-long, and not a saved message whose header block was run together
 * onto the envelope line (that is one message for the lenient reader).
 */
export function isFirstEnvelope(line: string): boolean {
  if (!line.startsWith('From ') || line.length > MAX_ENVELOPE_LENGTH) return false;
  return (line.match(RUN_IN_FIELD) ?? []).length < 2;
}

const FROM = Buffer.from('From ');

/** Whether `buf` starts with an mbox envelope line. */
export function startsWithEnvelope(buf: Buffer): boolean {
  // Leading blank lines are tolerated (git's t5100 sample.mbox has them).
  let w = 0;
  while (w < buf.length && (buf[w] === 0x20 || buf[w] === 0x09 || buf[w] === 10 || buf[w] === 13)) w++;
  if (buf.length - w < FROM.length || buf.compare(FROM, 0, FROM.length, w, w + FROM.length) !== 0) return false;
  const nl = buf.indexOf(10, w);
  const end = nl < 0 ? buf.length : nl;
  return end - w <= MAX_ENVELOPE_LENGTH && isFirstEnvelope(buf.toString('latin1', w, end));
}

/** How far into a file damagedFirstEnvelope looks for later envelopes. */
const DAMAGE_SCAN = 1024 * 1024;

/**
 * Why a file read as one message may be an mbox whose first envelope is damaged, or null.
 * It starts `From ` but was not taken for an mbox: its first line is over the envelope
 * limit, or is not a plausible one while envelope lines follow further down. Such a file
 * is still read as one (lenient) message, but the run says so rather than swallow it.
 */
export function damagedFirstEnvelope(bytes: Buffer): string | null {
  let w = 0;
  while (w < bytes.length && (bytes[w] === 0x20 || bytes[w] === 0x09 || bytes[w] === 10 || bytes[w] === 13)) w++;
  if (bytes.length - w < FROM.length || bytes.compare(FROM, 0, FROM.length, w, w + FROM.length) !== 0) return null;
  const nl = bytes.indexOf(10, w);
  const firstLength = (nl < 0 ? bytes.length : nl) - w;
  if (firstLength <= MAX_ENVELOPE_LENGTH && isFirstEnvelope(bytes.toString('latin1', w, w + firstLength))) return null;
  let later = 0;
  const scan = bytes.subarray(0, Math.min(bytes.length, DAMAGE_SCAN));
  for (let i = scan.indexOf('\nFrom ', w); i >= 0; i = scan.indexOf('\nFrom ', i + 1)) {
    const end = scan.indexOf(10, i + 1);
    if (isEnvelopeLine(scan.toString('latin1', i + 1, end < 0 ? scan.length : Math.min(end, i + 1 + MAX_ENVELOPE_LENGTH + 1)))) later++;
  }
  const more = later > 0 ? `; ${later} envelope line${later === 1 ? '' : 's'} follow${later === 1 ? 's' : ''}, so all of it was read as one message` : '';
  if (firstLength > MAX_ENVELOPE_LENGTH) {
    return `the first line starts like an mbox envelope but is ${firstLength} bytes, over the ${MAX_ENVELOPE_LENGTH}-byte limit${more}`;
  }
  if (later > 0) return `the first line starts like an mbox envelope but is not a plausible one${more}`;
  return null;
}
