// What makes two patch titles one patch's though their subsystem prefixes differ: a re-roll
// that adds or changes the prefix ("ppp: Fix deadlock ... in ap_get()" then "net: ppp: Fix
// deadlock ... in ap_get()") keeps the words after it. The prefix is often what tells two
// generic titles apart ("erofs: fix memory leak", "f2fs: fix memory leak"), so the words
// after it join only when they name something (a function, a field) or say a lot, and the
// prefixes do not contradict each other. Pure.
import { parseSubject, subjectKey } from '../patch/subject.ts';

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

// ---------------------------------------------------------------------------------------
// Keys a thread is found by when no title or series links it: db/knowledge-threads.ts
// stores them per message (knowledge_keys) so that its family closure follows exactly the
// joins races.ts families() makes with them, in whatever batch or run the threads arrive.

/** Shortest title key an orphan reply joins by: shorter ones ("fix typo") name no one patch. */
export const ORPHAN_TITLE_MIN = 12;

/**
 * The title key of a reply's subject ("Re: [Regression Bug] Re: [PATCH net v3 2/2] ppp: fix
 * ..." -> "ppp fix ..."), as patch_msgs.title_key keys a patch: what a reply thread whose
 * root the archive lost is joined to its patch by. Null for a non-reply or a short title.
 */
export function replyTitleKey(subject: string): string | null {
  const info = parseSubject(subject);
  if (!info.isReply) return null;
  const k = subjectKey(info);
  return k.length >= ORPHAN_TITLE_MIN ? k : null;
}

/** The stored key of a reply title (so one index holds both kinds of key). */
export function orphanKey(titleKey: string): string {
  return `re:${titleKey}`;
}

// syzbot reports each bug from its own address, syzbot+<extid>@syzkaller.appspotmail.com, and
// asks the fix to carry it as Reported-by; its dashboard names the bug by the same extid
// (bug?extid=<extid>). One extid is one bug. Its other addresses name no bug: the monthly
// reports' syzbot+list<hex>, syzbot ci's syzbot+ci<hex>, plain syzbot@ and syzkaller@googlegroups.com.
const BUG_ADDRESS = /\bsyzbot\+([0-9a-f]{8,40})@syzkaller\.appspotmail\.com\b/i;
const BUG_SENDER = /^syzbot\+([0-9a-f]{8,40})@syzkaller\.appspotmail\.com$/i;
const BUG_URL = /\bsyzkaller\.appspot\.com\/bug\?(?:[^\s#]*&)?extid=([0-9a-f]{8,40})\b/i;

const bugKey = (extid: string): string => `bot:syzbot+${extid.toLowerCase()}`;

/** The bug a bot's per-bug sender address stands for (a syzbot report and its replies), else null. */
export function botBugOfSender(address: string | null): string | null {
  const m = address ? BUG_SENDER.exec(address.trim()) : null;
  return m ? bugKey(m[1]!) : null;
}

/**
 * The bot-reported bugs a patch's trailers say it fixes: Reported-by: syzbot+<extid>@...,
 * and Closes:/Link: to the bug's dashboard page (bug?extid=<extid>). Link:/Closes: to a lore
 * Message-ID are joined as message links (domain/patch/lore-link.ts), not here.
 */
export function botBugsOfTrailers(trailers: readonly { name: string; value: string }[]): string[] {
  const out = new Set<string>();
  for (const t of trailers) {
    const name = t.name.toLowerCase();
    const m = name === 'reported-by' ? BUG_ADDRESS.exec(t.value) : name === 'closes' || name === 'link' ? BUG_URL.exec(t.value) : null;
    if (m) out.add(bugKey(m[1]!));
  }
  return [...out];
}
