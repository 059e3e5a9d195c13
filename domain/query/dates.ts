// `d:` values as public-inbox reads them: absolute dates (20240101, 2024-01-01, with an
// optional time), relative ones (2.weeks.ago), and ranges with either end open
// (`a..b`, `a..`, `..b`). A day written alone covers the whole UTC day, so
// `d:..20230605` includes messages of June 5th. Pure: `now` is passed in.

export interface DateRange {
  /** Inclusive, ms since the epoch; null when open. */
  from: number | null;
  /** Exclusive, ms since the epoch; null when open. */
  to: number | null;
}

/** A point in time with the span it stands for: [start, end). */
interface Span {
  start: number;
  end: number;
}

export class DateSyntaxError extends Error {
  /** Offset (in characters) within the value where the bad part starts. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

const DAY = 86_400_000;
const UNIT_MS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: DAY, week: 7 * DAY };

function utc(y: number, mo: number, d = 1, h = 0, mi = 0, s = 0): number | null {
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(t);
  // Reject 20240230 and 25:00 rather than letting Date roll them over.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  if (h > 23 || mi > 59 || s > 59) return null;
  return t;
}

function addMonths(t: number, months: number): number {
  const d = new Date(t);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}

function parsePoint(text: string, now: number): Span | null {
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})$/.exec(text))) {
    const y = Number(m[1]);
    const s = utc(y, 1);
    const e = utc(y + 1, 1);
    return s === null || e === null ? null : { start: s, end: e };
  }
  if ((m = /^(\d{4})-?(\d{2})$/.exec(text)) && text.length !== 6) {
    // YYYY-MM only with the dash: six bare digits are too ambiguous.
    const s = utc(Number(m[1]), Number(m[2]));
    return s === null ? null : { start: s, end: addMonths(s, 1) };
  }
  if ((m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text))) {
    const s = utc(Number(m[1]), Number(m[2]), Number(m[3]));
    return s === null ? null : { start: s, end: s + DAY };
  }
  if ((m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/.exec(text)) ||
      (m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?Z?$/.exec(text))) {
    const hasSeconds = m[6] !== undefined;
    const s = utc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
    return s === null ? null : { start: s, end: s + (hasSeconds ? 1000 : 60_000) };
  }
  if (text === 'now') return { start: now, end: now };
  if (text === 'today' || text === 'yesterday') {
    const midnight = Math.floor(now / DAY) * DAY - (text === 'yesterday' ? DAY : 0);
    return { start: midnight, end: midnight + DAY };
  }
  if ((m = /^(\d{1,6})\.(second|minute|hour|day|week|month|year)s?(?:\.ago)?$/.exec(text))) {
    const n = Number(m[1]);
    const unit = m[2] as string;
    const t =
      unit === 'month' ? addMonths(now, -n) : unit === 'year' ? addMonths(now, -12 * n) : now - n * (UNIT_MS[unit] ?? 0);
    return { start: t, end: t };
  }
  return null;
}

/** Parses the text after `d:`; throws DateSyntaxError with the offset of the bad part. */
export function parseDateRange(value: string, now: number): DateRange {
  const sep = value.indexOf('..');
  if (sep < 0) {
    const p = parsePoint(value, now);
    if (!p) throw new DateSyntaxError(`cannot read date '${value}'`, 0);
    // A relative point alone ("2.weeks.ago") means "since then".
    return p.start === p.end ? { from: p.start, to: null } : { from: p.start, to: p.end };
  }
  const left = value.slice(0, sep);
  const right = value.slice(sep + 2);
  if (right.includes('..')) throw new DateSyntaxError(`a date range has one '..'`, sep + 2 + right.indexOf('..'));
  if (left === '' && right === '') throw new DateSyntaxError(`empty date range`, 0);
  let from: number | null = null;
  let to: number | null = null;
  if (left !== '') {
    const p = parsePoint(left, now);
    if (!p) throw new DateSyntaxError(`cannot read date '${left}'`, 0);
    from = p.start;
  }
  if (right !== '') {
    const p = parsePoint(right, now);
    if (!p) throw new DateSyntaxError(`cannot read date '${right}'`, sep + 2);
    to = p.end;
  }
  if (from !== null && to !== null && to <= from) {
    throw new DateSyntaxError(`date range '${value}' ends before it starts`, 0);
  }
  return { from, to };
}
