// A patch mail's body taken apart the way b4 does before it folds trailers in: git
// headers at the top (From:/Subject: in the body), the commit message, its trailer block,
// the "basement" below "---" (notes, diffstat, diff) and the "-- " signature; then put
// back together with the new trailer list. Pure; the order rules are b4's, so the mbox
// loregraph writes is the one b4 writes (test/am.test.ts holds them equal against b4's expected outputs).
import { findTrailers, globMatches, sameEmail, trailerEquals, trailerLine, type AmTrailer } from './am-trailers.ts';

interface BodyParts {
  headers: AmTrailer[];
  message: string;
  trailers: AmTrailer[];
  basement: string;
  signature: string;
}

const DIFFSTAT_RE = /^\s*\d+ file.*\d+ (insertion|deletion)/im;

function bodyParts(text: string): BodyParts {
  let body = text.replace(/\r/g, '').replace(/^\n+|\n+$/g, '');
  let head = body;
  let basement = '';
  // Below a diff, git format-patch's "-- " signature belongs to the basement, blank lines
  // before it included (b4 keeps them: trailers-followup-stripped-lines).
  const dashes = /^---\n/m.exec(body);
  if (dashes) {
    head = body.slice(0, dashes.index);
    basement = body.slice(dashes.index + 4);
  } else {
    for (const marker of ['\ndiff ', '\n--- a/']) {
      const at = body.indexOf(marker);
      if (at >= 0) {
        head = body.slice(0, at);
        basement = body.slice(at + 1);
        break;
      }
    }
  }
  let signature = '';
  const sig = basement ? -1 : body.lastIndexOf('\n-- \n');
  if (sig >= 0) {
    signature = body.slice(sig + 5);
    body = body.slice(0, sig).replace(/\n+$/, '');
    head = body;
  }
  const paragraphs = head.replace(/^\n+|\n+$/g, '').split('\n\n');
  const parts: string[] = [];
  let headers: AmTrailer[] = [];
  const first = findTrailers(paragraphs[0] ?? '');
  if (first.others.length > 0) parts.push(paragraphs[0] ?? '');
  else headers = first.trailers;
  const last = findTrailers(paragraphs[paragraphs.length - 1] ?? '');
  if (paragraphs.length === 1) {
    // a message of trailers only: they are trailers, not git headers
    if (headers.length === last.trailers.length && headers.every((h, i) => last.trailers[i] && trailerEquals(h, last.trailers[i] as AmTrailer))) headers = [];
    return { headers, message: last.others.join('\n'), trailers: last.trailers, basement, signature };
  }
  parts.push(...paragraphs.slice(1, -1));
  if (last.others.length > 0) parts.push(last.others.join('\n'));
  return { headers, message: parts.join('\n\n'), trailers: last.trailers, basement, signature };
}

function rebuildBody(p: BodyParts): string {
  let body = '';
  if (p.headers.length > 0) body += p.headers.map((h) => trailerLine(h, false) + '\n').join('') + '\n';
  if (p.message.length > 0) {
    body += p.message.replace(/[\r\n]+$/, '') + '\n';
    if (p.trailers.length > 0) body += '\n';
  }
  for (const t of p.trailers) body += trailerLine(t) + '\n';
  if (p.basement.length > 0) {
    if (p.trailers.length === 0) body += '\n';
    const bare = p.basement.trim();
    // a diff right after the trailers needs no "---"; notes or a diffstat do
    body += DIFFSTAT_RE.test(p.basement) || !(bare.startsWith('diff --git') || p.basement.trimStart().startsWith('--- ')) ? '---\n' : '\n';
    body += p.basement.replace(/^[\r\n]+|[\r\n]+$/g, '') + '\n';
  }
  if (p.signature.length > 0) body += '-- \n' + p.signature.replace(/[\r\n]+$/, '') + '\n';
  return body;
}

export interface Recipient {
  name: string;
  address: string;
}

export interface FoldOptions {
  /** The user's own "Signed-off-by" (b4's identity); it always moves to the bottom. */
  me: AmTrailer | null;
  addMySob: boolean;
  /** To: and Cc: of the patch mail, turned into Cc: trailers. */
  copyCcs: Recipient[] | null;
  /** b4's trailer-order, e.g. "Cc,Tested*,Reviewed*,*"; "*" keeps arrival order. */
  order: string;
  /** Addresses whose trailers (or whose replies' trailers) are left out. */
  ignoreFrom: readonly string[];
}

/** A trailer to fold in, with the address of the mail that gave it (null for ones we make). */
export interface NewTrailer {
  trailer: AmTrailer;
  givenBy: string | null;
}

export interface FoldResult {
  body: string;
  added: NewTrailer[];
  ignored: NewTrailer[];
}

/** Folds the new trailers into a patch body in b4's order: the chain of custody kept, duplicates dropped. */
export function foldTrailers(text: string, fresh: readonly NewTrailer[], o: FoldOptions): FoldResult {
  const parts = bodyParts(text);
  let own = parts.trailers;
  const me = o.me;
  let hasMySob = false;
  if (me && own.some((t) => trailerEquals(t, me))) {
    hasMySob = true;
    own = own.filter((t) => !trailerEquals(t, me));
  }
  let addMySob = o.addMySob && me !== null;
  let incoming = [...fresh];
  if (me && incoming.some((n) => trailerEquals(n.trailer, me))) {
    incoming = incoming.filter((n) => !trailerEquals(n.trailer, me));
    addMySob = true;
  }
  if (o.copyCcs) {
    // by domain, then local part, as b4 sorts them
    const key = (a: string) => (a.indexOf('@') > 0 ? (a.split('@')[1] ?? '') + (a.split('@')[0] ?? '') : a);
    const dests = [...o.copyCcs].sort((a, b) => (key(a.address) < key(b.address) ? -1 : key(a.address) > key(b.address) ? 1 : 0));
    for (const d of dests) {
      const present = [...own, ...incoming.map((n) => n.trailer)].some((t) => t.person !== null && sameEmail(t.person.email, d.address));
      if (present) continue;
      const value = d.name ? `${d.name} <${d.address}>` : d.address;
      incoming.push({ trailer: { name: 'Cc', value, extinfo: null, person: { name: d.name, email: d.address } }, givenBy: null });
    }
  }
  if (o.order && o.order !== '*') {
    // reorder only within our chain of custody: what follows the last Signed-off-by
    while (own.length > 0 && (own[own.length - 1] as AmTrailer).name.toLowerCase() !== 'signed-off-by') {
      incoming.unshift({ trailer: own.pop() as AmTrailer, givenBy: null });
    }
    const ordered: NewTrailer[] = [];
    for (const glob of o.order.split(',').map((g) => g.trim())) {
      if (incoming.length === 0) break;
      for (const n of [...incoming]) {
        if (globMatches(glob, n.trailer.name)) {
          ordered.push(n);
          incoming.splice(incoming.indexOf(n), 1);
        }
      }
    }
    incoming = [...ordered, ...incoming];
  }
  const ignores = o.ignoreFrom.map((a) => a.toLowerCase());
  const result = [...own];
  const added: NewTrailer[] = [];
  const ignored: NewTrailer[] = [];
  for (const n of incoming) {
    if (result.some((t) => trailerEquals(t, n.trailer)) || ignored.some((i) => trailerEquals(i.trailer, n.trailer))) continue;
    if ((n.trailer.person && ignores.includes(n.trailer.person.email.toLowerCase())) || (n.givenBy && ignores.includes(n.givenBy.toLowerCase()))) {
      ignored.push(n);
      continue;
    }
    result.push(n.trailer);
    if (!parts.trailers.some((t) => t === n.trailer)) added.push(n);
  }
  if (me && (addMySob || hasMySob)) {
    result.push(me);
    if (!hasMySob) added.push({ trailer: me, givenBy: null });
  }
  return { body: rebuildBody({ ...parts, trailers: result }), added, ignored };
}
