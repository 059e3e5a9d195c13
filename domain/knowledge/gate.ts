// A word list's cheap first look: the literal substrings one of which every match of a
// regex must hold, read from the regex itself. The analyzer asks some forty word lists of
// every mail, each a pass of an alternation over the text; most fail. A native substring
// scan for the list's literals (`includes`, far cheaper than the alternation tried at every
// position) rules most of them out first, with the same answer: no literal, no match.
// Derived from the source rather than written beside each list, so a word added to the
// lexicon can never be missed by a stale hand-kept prefilter. Pure.

/** What a piece of a pattern can match, as far as literals go. */
interface Info {
  /** Every string it can match, when that set is finite and small; else null. */
  exact: Set<string> | null;
  /** Strings one of which every match holds; null when none is known. */
  req: Set<string> | null;
}

// Past these sizes a set says too little to be worth its scans.
const EXACT_LIMIT = 64;
const CLASS_LIMIT = 8;
// Past this many literals the scans cost about what the regex does: no gate then.
const LITERALS_LIMIT = 3;
const UNKNOWN: Info = { exact: null, req: null };
const EMPTY: Info = { exact: new Set(['']), req: null };

class Unsupported extends Error {}

function reqOf(i: Info): Set<string> | null {
  if (i.req) return i.req;
  return i.exact && !i.exact.has('') ? i.exact : null;
}

/**
 * How good a set is to look for: longer members are rarer chance hits in prose (up to a
 * point), fewer members fewer scans.
 */
function strength(s: Set<string>): number {
  let min = Infinity;
  for (const x of s) min = Math.min(min, x.length);
  return Math.min(min, 6) * 100 - s.size;
}

function better(a: Set<string> | null, b: Set<string> | null): Set<string> | null {
  if (!a) return b;
  if (!b) return a;
  return strength(b) > strength(a) ? b : a;
}

function product(a: Set<string>, b: Set<string>): Set<string> | null {
  if (a.size * b.size > EXACT_LIMIT) return null;
  const out = new Set<string>();
  for (const x of a) for (const y of b) out.add(x + y);
  return out;
}

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly ignoreCase: boolean,
  ) {}

  parse(): Info {
    const info = this.disjunction();
    if (this.i !== this.src.length) throw new Unsupported('trailing');
    return info;
  }

  private peek(k = 0): string {
    return this.src[this.i + k] ?? '';
  }

  private disjunction(): Info {
    const alts: Info[] = [this.alternative()];
    while (this.peek() === '|') {
      this.i++;
      alts.push(this.alternative());
    }
    if (alts.length === 1) return alts[0]!;
    let exact: Set<string> | null = new Set();
    let req: Set<string> | null = new Set();
    for (const a of alts) {
      if (exact && a.exact && exact.size + a.exact.size <= EXACT_LIMIT) for (const x of a.exact) exact.add(x);
      else exact = null;
      const r = reqOf(a);
      if (req && r) for (const x of r) req.add(x);
      else req = null;
    }
    return { exact, req };
  }

  private alternative(): Info {
    let cur: Set<string> | null = new Set(['']);
    let allExact = true;
    let best: Set<string> | null = null;
    const close = (): void => {
      if (cur && !cur.has('')) best = better(best, cur);
    };
    while (this.i < this.src.length && this.peek() !== '|' && this.peek() !== ')') {
      const t = this.term();
      if (t.exact) {
        const p: Set<string> | null = cur ? product(cur, t.exact) : null;
        if (p) cur = p;
        else {
          close();
          allExact = false;
          cur = t.exact;
        }
      } else {
        close();
        allExact = false;
        best = better(best, t.req);
        cur = new Set(['']);
      }
    }
    close();
    return { exact: allExact ? cur : null, req: best };
  }

  private term(): Info {
    const c = this.peek();
    if (c === '^' || c === '$') {
      this.i++;
      return EMPTY;
    }
    if (c === '\\' && (this.peek(1) === 'b' || this.peek(1) === 'B')) {
      this.i += 2;
      return EMPTY;
    }
    if (c === '(' && this.peek(1) === '?' && (this.peek(2) === '=' || this.peek(2) === '!' || (this.peek(2) === '<' && (this.peek(3) === '=' || this.peek(3) === '!')))) {
      // a lookaround consumes nothing: what it asks for need not be in the match
      this.i += this.peek(2) === '<' ? 4 : 3;
      this.disjunction();
      this.expect(')');
      return EMPTY;
    }
    const atom = this.atom();
    return this.quantified(atom);
  }

  private expect(ch: string): void {
    if (this.peek() !== ch) throw new Unsupported(`expected ${ch}`);
    this.i++;
  }

  private quantified(atom: Info): Info {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Infinity;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) return atom; // a literal brace
      this.i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    } else return atom;
    if (this.peek() === '?') this.i++; // lazy: the same strings
    if (max === 0) return EMPTY;
    if (atom.exact && max <= 3) {
      let all: Set<string> | null = min === 0 ? new Set(['']) : new Set();
      let power: Set<string> | null = new Set(['']);
      for (let k = 1; k <= max && all && power; k++) {
        power = product(power, atom.exact);
        if (!power) all = null;
        else if (k >= min) {
          for (const x of power) all.add(x);
          if (all.size > EXACT_LIMIT) all = null;
        }
      }
      if (all) return { exact: all, req: null };
    }
    return { exact: null, req: min >= 1 ? reqOf(atom) : null };
  }

  private char(ch: string): Info {
    if (this.ignoreCase) {
      // case folding beyond ASCII is not reasoned about: such a piece promises nothing
      if (ch.charCodeAt(0) >= 128) return UNKNOWN;
      return { exact: new Set([ch.toLowerCase()]), req: null };
    }
    return { exact: new Set([ch]), req: null };
  }

  private atom(): Info {
    const c = this.peek();
    if (c === '(') {
      this.i++;
      if (this.peek() === '?') {
        if (this.peek(1) === ':') this.i += 2;
        else if (this.peek(1) === '<') {
          const end = this.src.indexOf('>', this.i);
          if (end < 0) throw new Unsupported('group name');
          this.i = end + 1;
        } else throw new Unsupported('group');
      }
      const inner = this.disjunction();
      this.expect(')');
      return inner;
    }
    if (c === '[') return this.charClass();
    if (c === '.') {
      this.i++;
      return UNKNOWN;
    }
    if (c === '\\') {
      this.i++;
      const e = this.peek();
      this.i++;
      if ('dDwWsS'.includes(e)) return UNKNOWN;
      const ch = this.escapedChar(e);
      return ch === null ? UNKNOWN : this.char(ch);
    }
    if (c === '*' || c === '+' || c === '?' || c === ')' || c === '') throw new Unsupported(`unexpected ${c}`);
    this.i++;
    return this.char(c);
  }

  /** The character an escape (after its backslash) stands for, or null when it stands for no one character. */
  private escapedChar(e: string): string | null {
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', '0': '\0' };
    if (e in simple) return simple[e]!;
    if (e === 'x' || e === 'u') {
      const n = e === 'x' ? 2 : 4;
      const hex = this.src.slice(this.i, this.i + n);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) throw new Unsupported('escape');
      this.i += n;
      return String.fromCharCode(parseInt(hex, 16));
    }
    // back-references, \k<name>, \c, \p: anything could be there
    if (/[1-9kcpP]/.test(e)) return null;
    return e;
  }

  private charClass(): Info {
    this.i++;
    if (this.peek() === '^') {
      this.skipClass();
      return UNKNOWN;
    }
    const chars = new Set<string>();
    let known = true;
    // as in JavaScript (not POSIX), a ']' right after '[' closes an empty class
    while (this.peek() !== ']') {
      let c = this.peek();
      if (c === '') throw new Unsupported('class');
      this.i++;
      if (c === '\\') {
        const e = this.peek();
        this.i++;
        if ('dDwWsSbB'.includes(e)) {
          known = false;
          continue;
        }
        const ch = this.escapedChar(e);
        if (ch === null) {
          known = false;
          continue;
        }
        c = ch;
      }
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== '') {
        this.i++;
        let hi = this.peek();
        this.i++;
        if (hi === '\\') {
          const ch = this.escapedChar(this.peek());
          this.i++;
          if (ch === null) throw new Unsupported('range');
          hi = ch;
        }
        const from = c.charCodeAt(0);
        const to = hi.charCodeAt(0);
        if (to - from >= CLASS_LIMIT) known = false;
        else for (let k = from; k <= to; k++) chars.add(String.fromCharCode(k));
        continue;
      }
      chars.add(c);
    }
    this.i++;
    if (!known || chars.size > CLASS_LIMIT) return UNKNOWN;
    const out = new Set<string>();
    for (const ch of chars) {
      const one = this.char(ch);
      if (!one.exact) return UNKNOWN;
      for (const x of one.exact) out.add(x);
    }
    return { exact: out, req: null };
  }

  private skipClass(): void {
    this.i++;
    while (this.peek() !== ']') {
      if (this.peek() === '') throw new Unsupported('class');
      if (this.peek() === '\\') this.i++;
      this.i++;
    }
    this.i++;
  }
}

/**
 * Literal substrings one of which every match of `re` holds (lower-cased when `re` ignores
 * case), fewest and longest first; null when the regex promises none (or uses syntax this
 * reader does not follow: then it is simply always asked).
 */
export function requiredLiterals(re: RegExp, limit = LITERALS_LIMIT): string[] | null {
  if (/[uvy]/.test(re.flags)) return null;
  let info: Info;
  try {
    info = new Parser(re.source, re.ignoreCase).parse();
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
  const req = reqOf(info);
  if (!req || req.has('')) return null;
  const out = cores([...req]);
  return out.length <= limit ? out : null;
}

// A piece of a literal stands for it (where the literal is, so is the piece): a few
// pieces of this length shared by many literals ("window" for the eighteen ways to say
// "a narrow window where") cost a few scans instead of dozens, and still rule out most mail.
const CORE = 5;

/** Fewest pieces (of CORE characters, no spaces; a shorter literal is its own) covering every literal. */
function cores(literals: string[]): string[] {
  const left = new Set(literals);
  const out: string[] = [];
  while (left.size > 0) {
    const counts = new Map<string, number>();
    for (const l of left) {
      const pieces = new Set<string>();
      if (l.length <= CORE) pieces.add(l);
      else for (let i = 0; i + CORE <= l.length; i++) if (!l.slice(i, i + CORE).includes(' ')) pieces.add(l.slice(i, i + CORE));
      if (pieces.size === 0) pieces.add(l);
      for (const p of pieces) counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    let best = '';
    let n = 0;
    for (const [p, c] of counts) if (c > n || (c === n && p < best)) [best, n] = [p, c];
    out.push(best);
    for (const l of [...left]) if (l.includes(best)) left.delete(l);
  }
  // a piece holding another adds nothing: where it occurs, so does the shorter one
  return out.filter((p) => !out.some((q) => q !== p && p.includes(q)));
}

/** A regex with its literals, asked of a text through `mayMatch` first. */
export interface Gated {
  re: RegExp;
  literals: string[] | null;
}

/** `limit`: how many literals are worth their scans before the regex (LITERALS_LIMIT unless said). */
export function gated(re: RegExp, limit = LITERALS_LIMIT): Gated {
  return { re, literals: requiredLiterals(re, limit) };
}

/**
 * A text as the gates read it: its lower-cased copy made once, however many
 * case-insensitive lists ask. Lower-casing keeps every ASCII letter's place in a run of
 * ASCII, which is all a case-insensitive match of an ASCII literal is made of.
 */
export class Probe {
  private lowered: string | null = null;
  constructor(readonly text: string) {}

  get lower(): string {
    return (this.lowered ??= this.text.toLowerCase());
  }

  /** False only when `g` cannot match anywhere in the text (nor in any part of it). */
  mayMatch(g: Gated): boolean {
    const ls = g.literals;
    if (!ls) return true;
    const hay = g.re.ignoreCase ? this.lower : this.text;
    for (const l of ls) if (hay.includes(l)) return true;
    return false;
  }

  /** `g.re.test(text)`, its literals looked for first. */
  test(g: Gated): boolean {
    return this.mayMatch(g) && g.re.test(this.text);
  }
}
