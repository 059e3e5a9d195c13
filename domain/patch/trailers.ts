// Trailers ("Reviewed-by: Name <addr>", "Fixes: <sha> (\"subject\")", "Cc: stable@... # 6.1.x")
// read from a patch's commit message, or from a reply that gives them (b4 "follow-up
// trailers"). Quoted lines ("> Reviewed-by: ...") are never trailers: they belong to
// whoever wrote them first.

export interface Person {
  name: string;
  /** Lower-cased address; '' when the trailer gave none. */
  email: string;
}

export interface StableTarget {
  /** The comment after "#", as written. */
  extinfo: string;
  /** Branches named exactly: "6.1.x", "# 6.1", "v6.12" -> "6.1", "6.12". */
  branches: string[];
  /** Lowest branch of an open range: "v6.6+" -> "6.6"; "v6.6.55+" -> "6.6". */
  from: string | null;
  /** "# 6.1.x: a1f84a3: prereq" -> the commit that must go first. */
  prereq: string | null;
  /** "after 4 weeks in mainline" and the like. */
  delay: string | null;
}

export interface Trailer {
  /** Canonical spelling, e.g. "Reviewed-by". */
  name: string;
  /** The value as written (whitespace collapsed). */
  value: string;
  person: Person | null;
  /** Fixes:/Stable-dep-of: commit and the subject in ("..."). */
  commit: string | null;
  commitSubject: string | null;
  /** Link:/Closes: */
  url: string | null;
  /** Set when this is "Cc: stable@vger.kernel.org". */
  stable: StableTarget | null;
  /** 0-based line in the body. */
  line: number;
}

// Names whose value is a person; "-by" trailers not listed here are accepted too.
const CANONICAL = new Map(
  [
    'Signed-off-by',
    'Reviewed-by',
    'Acked-by',
    'Tested-by',
    'Reported-by',
    'Suggested-by',
    'Co-developed-by',
    'Fixes',
    'Link',
    'Closes',
    'Cc',
    'Stable-dep-of',
    'Message-ID',
  ].map((n) => [n.toLowerCase(), n]),
);

/** Trailers that a reviewer sends in a reply and that b4 collects onto the patch. */
// Not Signed-off-by: in a reply it is the patch's own, pasted back.
export const FOLLOWUP_TRAILERS = new Set(['Reviewed-by', 'Acked-by', 'Tested-by', 'Reported-by', 'Suggested-by', 'Co-developed-by', 'Fixes', 'Link', 'Closes']);

// Where a top-posted reply's unquoted copy of the original begins (Outlook, Gmail forwards).
const ORIGINAL_BEGINS = /^(-{3,}\s*(original message|ursprüngliche nachricht|forwarded message)\s*-{3,}|_{10,}\s*|from:\s.*<?\S+@\S+>?\s*)$/i;

const LINE_RE = /^([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*):[ \t]*(\S.*)$/;
const SHA_RE = /^([0-9a-f]{8,40})\b(?:\s*\(\s*"?(.*?)"?\s*\))?/i;

function canonicalName(raw: string): string | null {
  const known = CANONICAL.get(raw.toLowerCase());
  if (known) return known;
  if (/-by$/i.test(raw)) return raw.split('-').map((p, i) => (i === 0 ? p[0]?.toUpperCase() + p.slice(1).toLowerCase() : p.toLowerCase())).join('-');
  return null;
}

/** "Name (corp) <a@b>", "Last, First <a@b>", "<a@b<mailto:a@b>>" (Outlook), or a bare address. */
export function parsePerson(value: string): Person | null {
  const v = value.replace(/<mailto:[^>]*>/gi, '').trim();
  const angle = /^(.*?)<\s*([^<>\s]+@[^<>\s]+?)\s*>+/.exec(v);
  if (angle) {
    const name = (angle[1] ?? '').trim().replace(/^"|"$/g, '').trim();
    return { name, email: (angle[2] ?? '').toLowerCase() };
  }
  const bare = /^([^\s<>@]+@[^\s<>@]+\.[^\s<>@#]+)/.exec(v);
  if (bare) return { name: '', email: (bare[1] ?? '').toLowerCase() };
  // "Name" alone happens (syzbot reporters, people without an address); keep the name.
  if (/^[^\s@<>#:]+(?: [^\s@<>#:]+){0,4}$/.test(v)) return { name: v, email: '' };
  return null;
}

const STABLE_ADDR = /stable@(?:vger\.)?kernel\.org/i;

/** The "# ..." comment of a "Cc: stable@vger.kernel.org" line, as the stable rules document it. */
export function parseStableTarget(extinfo: string): StableTarget {
  const t: StableTarget = { extinfo, branches: [], from: null, prereq: null, delay: null };
  const prereq = /([0-9a-f]{7,40})\s*:\s*prereq/i.exec(extinfo);
  if (prereq?.[1]) t.prereq = prereq[1].toLowerCase();
  const delay = /(after\s+.*)$/i.exec(extinfo);
  if (delay?.[1]) t.delay = delay[1].trim();
  const versionPart = prereq ? extinfo.slice(0, prereq.index) : extinfo;
  for (const m of versionPart.matchAll(/\bv?(\d+)\.(\d+)(?:\.(?:\d+|x|y))?(\+|-)?/gi)) {
    const br = `${m[1]}.${m[2]}`;
    if (m[3] === '+') {
      // "v6.6.55+, v6.10.14+": several open ranges; the lowest one is where the need starts.
      if (t.from === null || compareBranches(br, t.from) < 0) t.from = br;
    } else if (!t.branches.includes(br)) t.branches.push(br);
  }
  return t;
}

/** Orders "5.4" < "5.10" < "6.1" numerically. */
export function compareBranches(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}

function build(name: string, value: string, line: number): Trailer {
  const t: Trailer = { name, value, person: null, commit: null, commitSubject: null, url: null, stable: null, line };
  if (name === 'Fixes' || name === 'Stable-dep-of') {
    const m = SHA_RE.exec(value);
    if (m?.[1]) {
      t.commit = m[1].toLowerCase();
      t.commitSubject = m[2] ?? null;
    }
  } else if (name === 'Link' || name === 'Closes') {
    const m = /(https?:\/\/\S+)/.exec(value);
    t.url = m?.[1] ?? null;
  } else if (name === 'Cc') {
    t.person = parsePerson(value.replace(/\s#.*$/, ''));
    if (STABLE_ADDR.test(value)) {
      const hash = value.indexOf('#');
      t.stable = parseStableTarget(hash >= 0 ? value.slice(hash + 1).trim() : '');
    }
  } else if (name !== 'Message-ID') {
    t.person = parsePerson(value);
  }
  return t;
}

export interface TrailerOptions {
  /** A reply: read every unquoted line (up to the signature) and keep only follow-up trailers with a person. */
  followup?: boolean;
}

/** Where the commit message of a patch mail ends: the "---" before the diffstat, or the diff itself. */
export function commitMessageEnd(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] ?? '';
    if (l === '---' || l.startsWith('diff --git ') || l.startsWith('Index: ') || (l.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ '))) return i;
  }
  return lines.length;
}

// Cheap gates: most replies carry no trailer, and a patch's trailers sit before its diff.
const TRAILER_WORDS = ['-by', 'fixes', 'link', 'closes', 'cc', 'stable-dep-of'];

/** Whether `s` has `word` (lower case ASCII) ending at `end`, ASCII letters compared case-insensitively. */
function wordBefore(s: string, end: number, word: string): boolean {
  const start = end - word.length;
  if (start < 0) return false;
  for (let k = 0; k < word.length; k++) {
    let c = s.charCodeAt(start + k);
    if (c >= 65 && c <= 90) c |= 0x20;
    if (c !== word.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * /-by:|fixes:|link:|closes:|cc:|stable-dep-of:/i.test(body), looking only before each
 * colon: the regex tried every position of every reply (most of which have no trailer),
 * this is several times faster and gives the same answer (test/trailers-gate.test.ts).
 */
export function hasTrailerWord(body: string): boolean {
  for (let i = body.indexOf(':'); i >= 0; i = body.indexOf(':', i + 1)) {
    for (const w of TRAILER_WORDS) if (wordBefore(body, i, w)) return true;
  }
  return false;
}

export function parseTrailers(body: string, opts: TrailerOptions = {}): Trailer[] {
  if (!hasTrailerWord(body)) return [];
  let text = body;
  if (!opts.followup) {
    const cut = [body.indexOf('\n---\n'), body.indexOf('\ndiff --git ')].filter((i) => i >= 0);
    if (cut.length > 0) text = body.slice(0, Math.min(...cut) + 1);
  }
  const lines = text.includes('\r') ? text.split(/\r?\n/) : text.split('\n');
  const end = opts.followup ? lines.length : commitMessageEnd(lines);
  const out: Trailer[] = [];
  for (let i = 0; i < end; i++) {
    const raw = lines[i] ?? '';
    // Most lines (prose, quoted diffs) have no colon: they can be no trailer, and only end a
    // reply's own words when they are a dash or underscore rule.
    if (!raw.includes(':')) {
      if (opts.followup) {
        const first = raw.trimStart()[0];
        if ((first === '-' || first === '_') && (raw === '-- ' || raw === '--' || ORIGINAL_BEGINS.test(raw.trim()))) break;
      }
      continue;
    }
    if (opts.followup && ORIGINAL_BEGINS.test(raw.trim())) break;
    if (/^\s*>/.test(raw)) continue;
    // Mailers and people indent; b4 accepts the trailer after stripping the whitespace.
    const m = LINE_RE.exec(raw.trim());
    if (!m?.[1] || m[2] === undefined) continue;
    const name = canonicalName(m[1]);
    if (!name) continue;
    const t = build(name, m[2].replace(/\s+/g, ' ').trim(), i);
    if (opts.followup) {
      if (!FOLLOWUP_TRAILERS.has(name) && (!/-by$/.test(name) || name === 'Signed-off-by')) continue;
      if (/-by$/.test(name) && (!t.person || t.person.email === '')) continue;
    }
    if (/-by$/.test(name) && !t.person) continue;
    if (name === 'Cc' && !t.person) continue;
    out.push(t);
  }
  return out;
}
