// What makes two patch titles one patch's though their subsystem prefixes differ: a re-roll
// that adds or changes the prefix ("ppp: Fix deadlock ... in ap_get()" then "net: ppp: Fix
// deadlock ... in ap_get()") keeps the words after it. The prefix is often what tells two
// generic titles apart ("erofs: fix memory leak", "f2fs: fix memory leak"), so the words
// after it join only when they name something (a function, a field) or say a lot, and the
// prefixes do not contradict each other. Pure.
import { parseSubject } from '../patch/subject.ts';

export interface TitleStem {
  /** The words after the subsystem prefixes, normalised as title keys are. */
  stem: string;
  /** The prefixes' words ("net: ppp:" -> net, ppp; "smb: client:" -> smb, client). */
  prefixes: string[];
  /** The stem names an identifier (foo_bar, foo(), ->field) and has three words or more. */
  names: boolean;
  /** It names an identifier, or has six words or more: enough to tell one patch from another. */
  specific: boolean;
}

// "net: ppp: ", "net:ppp: ", "netfs, cifs: ", "drm/i915/gt: "; not "Revert \"...\"" nor a URL
const PREFIX = /^\s*([a-z0-9_][\w.\-/+]*(?:\s*,\s*[\w.\-/+]+)*)\s*:(?!\/)\s*/i;
const IDENTIFIER = /\b[a-z]\w*_\w+|\b\w+\(\)|->\w+/i;

const key = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

/** A title's stem and prefixes (none, for a title without one); null when few words are left. */
export function titleStem(title: string): TitleStem | null {
  let rest = title;
  const prefixes: string[] = [];
  for (let i = 0; i < 4; i++) {
    const m = PREFIX.exec(rest);
    if (!m) break;
    // "net/ppp" is net and ppp; "fsck.f2fs" (the tool) is not f2fs (the kernel), nor "erofs-utils" erofs
    prefixes.push(...m[1]!.toLowerCase().split(/[\s/,]+/).filter(Boolean));
    rest = rest.slice(m[0].length);
  }
  const stem = key(rest);
  if (stem.length < 12) return null;
  const words = stem.split(' ').length;
  const names = words >= 3 && IDENTIFIER.test(rest);
  return { stem, prefixes, names, specific: names || words >= 6 };
}

/** A subject (tags, Re:, version markers and all) as its title's stem. */
export function subjectStem(subject: string): TitleStem | null {
  return titleStem(parseSubject(subject).normalizedSubject);
}

/**
 * Two titles of one sender that are one patch across a prefix change: the same stem, a
 * specific one, and prefixes where one holds the other's words ("ppp" and "net ppp"), or a
 * stem that names an identifier (the prefix renamed: "cifs:" then "smb: client:").
 */
export function sameStem(a: TitleStem, b: TitleStem): boolean {
  if (a.stem !== b.stem || !a.specific) return false;
  if (a.names && b.names) return true;
  const sa = new Set(a.prefixes);
  const sb = new Set(b.prefixes);
  return [...sa].every((w) => sb.has(w)) || [...sb].every((w) => sa.has(w));
}
