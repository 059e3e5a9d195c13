// Subject tags of patch mail ("[RFC PATCH net-next v2 1/3] foo: bar") parsed into
// fields once, here, so no other module guesses at subjects with its own regex.
// Only the bracket groups before the subject text count: "[foo]" later in a subject
// is part of the title.

export interface BranchRange {
  /** Newest branch named, e.g. "6.16" in "AUTOSEL 6.16-5.4". */
  from: string;
  /** Oldest branch named, e.g. "5.4". */
  to: string;
}

export interface SubjectInfo {
  /** Starts with Re:/AW:/SV:/... (any depth). */
  isReply: boolean;
  /** Starts with Fwd:/Fw:/WG:... */
  isForward: boolean;
  /** A leading bracket group carries PATCH (also PATCHv2, BACKPORT). */
  isPatch: boolean;
  rfc: boolean;
  resend: boolean;
  /** "3" for v3, "5.1" for a partial re-roll v5.1; null when no vN tag (i.e. v1). */
  version: string | null;
  /** The whole-series version number: 5 for v5.1, 1 when absent. */
  versionMajor: number;
  /** n of n/m; 0 for a cover letter. */
  index: number | null;
  total: number | null;
  /** Tags we do not interpret, in order: trees ("net-next", "pppd", "-next"), "stable", ... */
  prefixes: string[];
  /** The first uninterpreted tag that names a tree, e.g. "net-next". */
  tree: string | null;
  /** Stable branch the patch targets: "6.6" for "[PATCH 6.6 012/150]" or "[PATCH 5.15.y]". */
  stableBranch: string | null;
  /** All branches named, "5.4/5.10/5.15" gives three. */
  stableBranches: string[];
  autosel: boolean;
  /** AUTOSEL mails for several branches at once: "[PATCH AUTOSEL 6.16-5.4]". */
  branchRange: BranchRange | null;
  /** "[GIT PULL]". */
  pull: boolean;
  /** Raw contents of the leading bracket groups. */
  tags: string[];
  /** The title with prefixes and tags removed and whitespace collapsed. */
  normalizedSubject: string;
}

// Reply/forward markers of common mail clients (English, German, Nordic, Dutch, Italian...).
const REPLY_WORDS = new Set(['re', 'aw', 'sv', 'antw', 'vs', 'r', 'ris', 'odp', 'ynt', 'res', '答复', '回复', '回覆']);
const FORWARD_WORDS = new Set(['fwd', 'fw', 'wg', 'tr', 'rv', 'enc', 'vs']);

const PREFIX_RE = /^\s*([A-Za-z]{1,6}|[\u4e00-\u9fff]{2})\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*/;
const BRACKET_RE = /^\s*\[([^\]]*)\]\s*/;
// "6.1", "6.1.y", "5.10.x", "4.19.325" (a backport against one release), "5.4-stable",
// "linux-5.10.y".
const BRANCH_RE = /^(?:linux-)?(\d+\.\d+)(?:\.(?:y|x|\d+))?(?:-stable)?$/i;
const VERSION_RE = /^v(\d+)(?:\.(\d+))?$/i;
const COUNT_RE = /^(\d+)\/(\d+)$/;

function isBranchToken(t: string): boolean {
  return BRANCH_RE.test(t);
}

/** Splits "5.4/5.10/5.15" into branches; null when it is not such a list. */
function branchList(t: string): string[] | null {
  const parts = t.split('/');
  if (parts.length < 2) return null;
  const out: string[] = [];
  for (const p of parts) {
    const m = BRANCH_RE.exec(p);
    if (!m?.[1]) return null;
    out.push(m[1]);
  }
  return out;
}

export function parseSubject(raw: string): SubjectInfo {
  const info: SubjectInfo = {
    isReply: false,
    isForward: false,
    isPatch: false,
    rfc: false,
    resend: false,
    version: null,
    versionMajor: 1,
    index: null,
    total: null,
    prefixes: [],
    tree: null,
    stableBranch: null,
    stableBranches: [],
    autosel: false,
    branchRange: null,
    pull: false,
    tags: [],
    normalizedSubject: '',
  };
  let rest = raw.replace(/\s+/g, ' ').trim();
  // Prefix words and bracket groups interleave ("Re: [PATCH] Re: foo" is rare, "AW: Re: [PATCH]" common).
  for (;;) {
    const p = PREFIX_RE.exec(rest);
    if (p?.[1]) {
      const w = p[1].toLowerCase();
      if (w === 'resend') {
        info.resend = true;
        rest = rest.slice(p[0].length);
        continue;
      }
      // Behind a tag, a lower-case word is the title's subsystem ("[PATCH 6.6 1/9] rv: ..."
      // is runtime verification, "tr:" tracing), not a mail client's "Re:"/"RV:"/"TR:".
      const subsystem = info.tags.length > 0 && /[a-z]/.test(p[1]) && p[1] === w;
      if (!subsystem && (REPLY_WORDS.has(w) || FORWARD_WORDS.has(w))) {
        if (FORWARD_WORDS.has(w) && w !== 'vs') info.isForward = true;
        else info.isReply = true;
        rest = rest.slice(p[0].length);
        continue;
      }
    }
    const b = BRACKET_RE.exec(rest);
    // A bracket group that is the whole subject is a title, not a tag ("[syzbot]" alone is not).
    if (b && b[1] !== undefined && rest.length > b[0].length) {
      info.tags.push(b[1].trim());
      rest = rest.slice(b[0].length);
      continue;
    }
    break;
  }
  for (const tag of info.tags) applyTag(info, tag);
  info.normalizedSubject = rest.trim();
  return info;
}

function applyTag(info: SubjectInfo, tag: string): void {
  const tokens = tag.split(/[\s,]+/).filter((t) => t.length > 0);
  const upper = tokens.map((t) => t.toUpperCase());
  const patchLike = upper.some((t) => t === 'PATCH' || /^PATCHV\d/.test(t) || t === 'BACKPORT' || t === 'PATCHSET');
  const pull = upper.join(' ').includes('GIT PULL');
  if (pull) info.pull = true;
  if (patchLike) info.isPatch = true;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] ?? '';
    const u = upper[i] ?? '';
    if (u === 'PATCH' || u === 'BACKPORT' || u === 'PATCHSET') continue;
    if (pull && (u === 'GIT' || u === 'PULL')) continue;
    const pv = /^PATCHV(\d+(?:\.\d+)?)$/.exec(u);
    if (pv?.[1]) {
      setVersion(info, pv[1]);
      continue;
    }
    if (u === 'RFC') {
      info.rfc = true;
      continue;
    }
    if (u === 'RESEND') {
      info.resend = true;
      continue;
    }
    // MANUALSEL: the stable team's picks sent for the maintainer's ack, as AUTOSEL's are.
    if (u === 'AUTOSEL' || u === 'MANUALSEL') {
      info.autosel = true;
      continue;
    }
    const v = VERSION_RE.exec(t);
    if (v?.[1]) {
      setVersion(info, v[2] !== undefined ? `${v[1]}.${v[2]}` : v[1]);
      continue;
    }
    // Mercurial patchbomb: "[PATCH 1 of 2]".
    if (/^\d+$/.test(t) && upper[i + 1] === 'OF' && /^\d+$/.test(tokens[i + 2] ?? '')) {
      info.index = Number(t);
      info.total = Number(tokens[i + 2]);
      i += 2;
      continue;
    }
    const c = COUNT_RE.exec(t);
    if (c?.[1] && c[2]) {
      info.index = Number(c[1]);
      info.total = Number(c[2]);
      continue;
    }
    // Branch names only mean something on patch mail: "[REGRESSION 6.1.2]" is a report.
    if (patchLike || info.autosel) {
      const bm = BRANCH_RE.exec(t);
      if (bm?.[1]) {
        addBranch(info, bm[1]);
        continue;
      }
      const range = /^(\d+\.\d+)-(\d+\.\d+)$/.exec(t);
      if (range?.[1] && range[2]) {
        info.branchRange = { from: range[1], to: range[2] };
        continue;
      }
      // "6.6~6.9": a range, like AUTOSEL's "6.16-5.4" (its branches depend on the date).
      const tilde = /^(\d+\.\d+)(?:\.y)?~(\d+\.\d+)(?:\.y)?$/i.exec(t);
      if (tilde?.[1] && tilde[2]) {
        const [lo, hi] = compareVersions(tilde[1], tilde[2]) <= 0 ? [tilde[1], tilde[2]] : [tilde[2], tilde[1]];
        info.branchRange = { from: hi, to: lo };
        continue;
      }
      const list = branchList(t);
      if (list) {
        for (const br of list) addBranch(info, br);
        continue;
      }
    }
    info.prefixes.push(t);
    if (info.tree === null && /^-?[a-z][\w.-]*$/i.test(t) && !/^(stable|wip|fyi)$/i.test(t)) info.tree = t;
  }
}

function compareVersions(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}

function setVersion(info: SubjectInfo, v: string): void {
  info.version = v;
  info.versionMajor = Number(v.split('.')[0]);
}

function addBranch(info: SubjectInfo, br: string): void {
  if (!info.stableBranches.includes(br)) info.stableBranches.push(br);
  info.stableBranch ??= br;
}

export interface SubjectFields {
  rfc?: boolean;
  resend?: boolean;
  autosel?: boolean;
  tree?: string;
  stableBranch?: string;
  version?: string;
  index?: number;
  total?: number;
  reply?: boolean;
}

/** Writes a subject the way git format-patch / the stable scripts do; inverse of parseSubject. */
export function formatSubject(title: string, f: SubjectFields): string {
  const parts: string[] = [];
  if (f.rfc) parts.push('RFC');
  parts.push('PATCH');
  if (f.resend) parts.push('RESEND');
  if (f.autosel) parts.push('AUTOSEL');
  if (f.tree) parts.push(f.tree);
  if (f.stableBranch) parts.push(f.stableBranch);
  if (f.version) parts.push(`v${f.version}`);
  if (f.index !== undefined && f.total !== undefined) {
    const width = String(f.total).length;
    parts.push(`${String(f.index).padStart(width, '0')}/${f.total}`);
  }
  return `${f.reply ? 'Re: ' : ''}[${parts.join(' ')}] ${title}`;
}

/** Key under which different versions of one patch or series meet (as b4 matches re-rolls). */
export function subjectKey(info: SubjectInfo): string {
  return info.normalizedSubject.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}
