// Attribution lines ("On 4/1/26 17:32, Zi Yan wrote:") name the author and date of
// the message being replied to. For a saved message that lost its headers they are
// the only trace of where it sits in a thread, so we parse the common mailer forms.
// Pure.

export interface Attribution {
  /** The line as found (whitespace collapsed). */
  text: string;
  /** Character index of the line in the searched text. */
  index: number;
  author: string;
  /** Address when the line carries one (`Name <a@b>` or a bare address). */
  address: string | null;
  /**
   * The quoted message's date as far as the line tells: 'YYYY-MM-DD', then 'THH:MM' and
   * ':SS' when given, then '+HH:MM' when the line has a zone. null when unparsed.
   */
  date: string | null;
  /** A Message-ID written into the line (some mailers do: "... wrote in <id>:"). */
  messageId: string | null;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function month(name: string): number | null {
  const i = MONTHS.indexOf(name.slice(0, 3).toLowerCase());
  return i < 0 ? null : i + 1;
}

const pad = (n: number): string => String(n).padStart(2, '0');

function fullYear(y: number): number {
  return y < 100 ? 2000 + y : y;
}

function hour12(h: number, ampm: string | undefined): number {
  if (!ampm) return h;
  const pm = ampm.toUpperCase() === 'PM';
  if (h === 12) return pm ? 12 : 0;
  return pm ? h + 12 : h;
}

function isoDate(y: number, m: number, d: number, time?: { h: number; min: number; s?: number | undefined }, zone?: string): string | null {
  if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1970 || y > 2100) return null;
  let out = `${y}-${pad(m)}-${pad(d)}`;
  if (time) {
    if (time.h > 23 || time.min > 59) return null;
    out += `T${pad(time.h)}:${pad(time.min)}`;
    if (time.s !== undefined) out += `:${pad(time.s)}`;
    if (zone) out += `${zone.slice(0, 3)}:${zone.slice(3)}`;
  }
  return out;
}

interface DateForm {
  re: RegExp;
  build(m: RegExpExecArray): string | null;
}

const num = (s: string | undefined): number => Number(s ?? NaN);

// Each form matches at the start of what follows "On ", and must consume the date only.
const DATE_FORMS: DateForm[] = [
  {
    // mutt / gmail: "Tue, Jun 30, 2026 at 07:31:07PM +0100", "Sat, Sep 12, 2020 at 5:41 PM"
    re: /^(?:[A-Za-z]{3},?\s+)?([A-Za-z]{3})[a-z]*\s+(\d{1,2}),?\s+(\d{4})(?:,?\s+at\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?(?:\s*([+-]\d{4}))?)?/,
    build: (m) => {
      const mo = month(m[1] ?? '');
      if (mo === null) return null;
      const time = m[4] ? { h: hour12(num(m[4]), m[7]), min: num(m[5]), s: m[6] ? num(m[6]) : undefined } : undefined;
      return isoDate(num(m[3]), mo, num(m[2]), time, m[8]);
    },
  },
  {
    // Apple Mail / alpine: "1 Apr 2026, at 15:15", "Tue, 4 Apr 2023"
    re: /^(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})(?:,?\s+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([+-]\d{4}))?)?/,
    build: (m) => {
      const mo = month(m[2] ?? '');
      if (mo === null) return null;
      const time = m[4] ? { h: num(m[4]), min: num(m[5]), s: m[6] ? num(m[6]) : undefined } : undefined;
      return isoDate(num(m[3]), mo, num(m[1]), time, m[7]);
    },
  },
  {
    // Thunderbird (zh, ja): "2024/4/15 20:34"; ISO "2024-04-15 20:34"
    re: /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?/,
    build: (m) => {
      const time = m[4] ? { h: num(m[4]), min: num(m[5]), s: m[6] ? num(m[6]) : undefined } : undefined;
      return isoDate(num(m[1]), num(m[2]), num(m[3]), time);
    },
  },
  {
    // Thunderbird (en-US): "4/1/26 17:32" is month/day/year
    re: /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4}),?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?/,
    build: (m) => {
      const time = m[4] ? { h: hour12(num(m[4]), m[7]), min: num(m[5]), s: m[6] ? num(m[6]) : undefined } : undefined;
      return isoDate(fullYear(num(m[3])), num(m[1]), num(m[2]), time);
    },
  },
  {
    // mutt with a %d-%m-%y format (common on LKML): "Mon 15-04-24 12:28:01"
    re: /^(?:[A-Za-z]{3},?\s+)?(\d{1,2})-(\d{1,2})-(\d{2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?/,
    build: (m) => {
      const time = m[4] ? { h: num(m[4]), min: num(m[5]), s: m[6] ? num(m[6]) : undefined } : undefined;
      return isoDate(fullYear(num(m[3])), num(m[2]), num(m[1]), time);
    },
  },
];

// The inner part may not contain another "On <date>", so prose such as "On second
// thought ... On Mon, 2 Mar 2026, Ann wrote:" yields only the real attribution.
const ATTRIBUTION = /(?<![\w>])On\s((?:(?!\bOn\s+(?:[A-Z][a-z]{2}\b|\d))[^<>\n]|<[^<>\s]*>){4,200}?)\s+wrote(?:\s+in\s+<([^<>\s]+@[^<>\s]+)>)?:/g;

/** Splits what lies between "On " and " wrote:" into date and author. */
function parseInner(inner: string): { author: string; address: string | null; date: string | null; messageId: string | null } {
  let rest = inner.trim();
  let date: string | null = null;
  for (const form of DATE_FORMS) {
    const m = form.re.exec(rest);
    if (!m) continue;
    date = form.build(m);
    if (date === null) continue;
    rest = rest.slice(m[0].length);
    break;
  }
  if (date === null) {
    // Unknown date form: the author is what follows the last comma.
    const comma = rest.lastIndexOf(', ');
    if (comma >= 0) rest = rest.slice(comma + 2);
  }
  rest = rest.replace(/^[\s,]+/, '').trim();
  let messageId: string | null = null;
  const idInLine = /\s+in\s+<([^<>\s]+@[^<>\s]+)>\s*$/.exec(rest);
  if (idInLine) {
    messageId = idInLine[1] ?? null;
    rest = rest.slice(0, idInLine.index).trim();
  }
  let address: string | null = null;
  const angle = /\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(rest);
  if (angle) {
    address = angle[1] ?? null;
    rest = rest.slice(0, angle.index).trim();
  } else {
    const bare = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.exec(rest);
    if (bare) address = rest;
  }
  const author = rest.replace(/^"(.*)"$/, '$1').trim();
  return { author, address, date, messageId };
}

/** Attribution lines in `text`, in order. Quoted ones (after `>`) are found too; `quoted` tells. */
export function findAttributions(text: string): (Attribution & { quoted: boolean })[] {
  const out: (Attribution & { quoted: boolean })[] = [];
  for (const m of text.matchAll(ATTRIBUTION)) {
    const inner = m[1] ?? '';
    const parsed = parseInner(inner);
    if (m[2]) parsed.messageId = m[2];
    if (parsed.author === '' || parsed.author.length > 120) continue;
    const index = m.index ?? 0;
    const before = text.slice(Math.max(0, index - 8), index);
    out.push({
      text: m[0].replace(/\s+/g, ' '),
      index,
      ...parsed,
      // A quote marker is a '>' on its own (not the end of a <message-id>).
      quoted: /(^|[\s>])>[ \t]*$/.test(before),
    });
  }
  return out;
}
