// Trailers as b4 reads and writes them when it prepares a series for `git am`: found in
// the last paragraph of a commit message or anywhere in a reviewer's reply, compared by
// name and value (case-insensitive), written back as "Name: value" with any "# comment"
// or "[next-line note]" kept. domain/patch/trailers.ts reads trailers for the graph (with
// parsed persons, commits, stable targets); this module keeps the exact text b4 would
// write, so the apply-ready mbox matches b4's own.

export interface AmTrailer {
  name: string;
  /** Normalised like b4: a person's value is rewritten "Name <addr>" (or the bare address). */
  value: string;
  /** " # comment" at the end of the line, or a "[note]" line under it; kept as written. */
  extinfo: string | null;
  /** For a value naming a person: the name ('' when none) and address. */
  person: { name: string; email: string } | null;
  /** A commit message's own trailer keeps its value as the author wrote it ("Cc: \"David S. Miller\" <...>"). */
  written?: string;
}

// Names whose value is never a person, even with an "@" in it.
const LINK_NAMES = new Set(['link', 'buglink', 'closes']);
const NON_PERSON = new Set([...LINK_NAMES, 'fixes', 'subject', 'date', 'obsoleted-by', 'change-id', 'base-commit']);
const UTILITY = new Set([...NON_PERSON, 'message-id', 'based-on', 'prerequisite-patch-id']);
const IGNORED = new Set(['phone', 'email', 'prerequisite-message-id']);
const HEADER_NAMES = new Set(['subject', 'date', 'from']);

// A "Name: value" line; the name starts with a word character (so "> Reviewed-by:" is not one).
const LINE_RE = /^\s*([\p{L}\p{N}_]\S+):\s+(\S.*)$/u;
const EXTINFO_RE = /^(.*\S)(\s+#[^#]+)$/;
const HAS_ADDRESS = /\S+@\S+\.\S+/;

/** "Name (corp) <a@b<mailto:a@b>>" -> { name: "Name (corp)", email: "a@b" }; a bare address -> name ''. */
function parseAddressValue(value: string): { name: string; email: string } | null {
  const v = value.replace(/<mailto:[^>]*>/gi, '').trim();
  const angle = /^(.*?)<\s*([^<>\s]+@[^<>\s]+)\s*>/.exec(v);
  if (angle) {
    const name = (angle[1] ?? '').trim().replace(/^"(.*)"$/, '$1').trim();
    return { name, email: angle[2] ?? '' };
  }
  const bare = /^([^\s<>]+@[^\s<>]+)$/.exec(v);
  return bare ? { name: '', email: bare[1] ?? '' } : null;
}

export function makeTrailer(name: string, value: string, extinfo: string | null = null): AmTrailer {
  const lname = name.toLowerCase();
  if (UTILITY.has(lname) || value.includes('://') || !HAS_ADDRESS.test(value)) return { name, value, extinfo, person: null };
  const person = parseAddressValue(value);
  if (!person) return { name, value, extinfo, person: null };
  return { name, value: person.name ? `${person.name} <${person.email}>` : person.email, extinfo, person };
}

export function trailerEquals(a: AmTrailer, b: AmTrailer): boolean {
  return a.name.toLowerCase() === b.name.toLowerCase() && a.value.toLowerCase() === b.value.toLowerCase();
}

export function trailerLine(t: AmTrailer, withExtinfo = true): string {
  const base = `${t.name}: ${t.written ?? t.value}`;
  if (!withExtinfo || !t.extinfo) return base;
  return t.extinfo.trimStart().startsWith('#') ? base + t.extinfo : `${base}\n${t.extinfo}`;
}

/**
 * Whether two addresses are one person's, as b4 decides: equal, equal without a
 * "+tag", or the same local part at a domain one label longer (foo@linux.intel.com, foo@intel.com).
 */
export function sameEmail(a: string, b: string): boolean {
  let x = a.toLowerCase();
  let y = b.toLowerCase();
  if (x === y) return true;
  if (!x.includes('@') || !y.includes('@')) return false;
  x = x.replace(/\+[^@]+@/, '@');
  y = y.replace(/\+[^@]+@/, '@');
  if (x === y) return true;
  const [xl, xd = ''] = x.split('@', 2) as [string, string?];
  const [yl, yd = ''] = y.split('@', 2) as [string, string?];
  if (xl !== yl) return false;
  const dots = (s: string) => s.split('.').length - 1;
  return Math.abs(dots(xd) - dots(yd)) === 1 && (xd.endsWith(`.${yd}`) || yd.endsWith(`.${xd}`));
}

/**
 * b4's rule against trailers given on someone else's behalf: a person trailer in a reply
 * counts only when it names the reply's sender, by address or by the exact name.
 */
export function namesSender(t: AmTrailer, fromName: string, fromEmail: string): boolean {
  if (!t.person) return true;
  if (sameEmail(t.person.email, fromEmail)) return true;
  const trailerName = t.person.name.toLowerCase();
  const senderName = (fromName.trim() || fromEmail).toLowerCase();
  return trailerName === senderName;
}

export interface FoundTrailers {
  trailers: AmTrailer[];
  /** The lines that are not trailers, in order. */
  others: string[];
}

/**
 * Trailers in a block of text. For a reply (`followup`), a trailer must name a person by
 * address unless it is a link or fixes kind, and only link kinds may carry a URL; the
 * signature (below "-- ") is never read.
 */
export function findTrailers(text: string, followup = false): FoundTrailers {
  let body = text;
  if (followup) body = (body.split('\n-- \n', 1)[0] ?? '').trim() + '\n';
  // Undo the wrapping mailers commonly do to long trailers.
  body = body.replace(/^(\S+:\s+[\da-f]+\s+\([^)]+)\n([^\n]+\))/gm, '$1 $2');
  body = body.replace(/^(\S+:\s+[^<\n]+)\n(<[^>\n]+>)$/gm, '$1 $2');
  const trailers: AmTrailer[] = [];
  const others: string[] = [];
  let wasTrailer = false;
  for (const raw of body.split('\n')) {
    const line = raw.replace(/\r+$/, '').replace(/^\r+/, '');
    const m = LINE_RE.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) {
      const name = m[1];
      let value = m[2];
      const lname = name.toLowerCase();
      if (IGNORED.has(lname)) continue;
      if (others.length > 0 && HEADER_NAMES.has(lname)) continue;
      if (followup) {
        // eslint-disable-next-line no-control-regex
        if (!/^[\x00-\x7f]*$/.test(lname)) continue;
        if (!HAS_ADDRESS.test(value) && !NON_PERSON.has(lname)) continue;
        if (/https?:\/\//.test(value) && !LINK_NAMES.has(lname)) continue;
      }
      let extinfo: string | null = null;
      const ext = EXTINFO_RE.exec(value);
      if (ext?.[1] !== undefined && ext[2] !== undefined) {
        value = ext[1];
        extinfo = ext[2];
      }
      const t = makeTrailer(name, value, extinfo);
      if (!followup && t.value !== value) t.written = value;
      trailers.push(t);
      wasTrailer = true;
      continue;
    }
    const last = trailers[trailers.length - 1];
    if (line.length > 2 && wasTrailer && last && /^\s*\[[^\]]+\]\s*$/.test(line)) {
      last.extinfo = line;
      wasTrailer = false;
      continue;
    }
    wasTrailer = false;
    others.push(line);
  }
  return { trailers, others };
}

// What a reply's header-like lines say about the patch, not a review of it. 'commit' is
// ours, beyond b4's list: a maintainer's "applied" mail pastes git log's "Commit: Name <addr>".
const NOT_FOLLOWUP = new Set(['from', 'author', 'cc', 'to', 'date', 'subject', 'subscribe', 'unsubscribe', 'base-commit', 'change-id', 'commit']);

/** The trailers a reply gives (before the sender check). */
export function replyTrailers(body: string): AmTrailer[] {
  return findTrailers(body, true).trailers.filter((t) => !NOT_FOLLOWUP.has(t.name.toLowerCase()));
}

/** fnmatch for trailer-order globs ("Reviewed*", "*"). */
export function globMatches(glob: string, name: string): boolean {
  const re = new RegExp(`^${glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}
