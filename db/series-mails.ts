// The mails of one series version, read from the store for `am`, `diff` and `dig`: its
// patches and cover letter, and every other mail of the threads its versions live in
// (replies that give trailers, patches of the other versions), in archive order.
import type { Db } from './connection.ts';
import { getStoredMessage, storedMessageRows } from './message-view.ts';
import { getSeries, type SeriesVersionView, type SeriesView } from './series.ts';
import { threadMessageIds, threadRootOf } from './threads.ts';
import { LoregraphError } from '../domain/errors.ts';
import type { AmInput, AmMail } from '../domain/patch/am.ts';

interface Loaded {
  mail: AmMail;
  row: number;
}

/** The first stored copy of a message as `am` reads it; null when it is not stored. */
export function loadMail(db: Db, messageId: string): Loaded | null {
  const row = storedMessageRows(db, messageId)[0];
  if (row === undefined) return null;
  const m = getStoredMessage(db, row);
  if (!m) return null;
  const refs = m.references.filter((r) => r !== m.inReplyTo);
  return {
    row,
    mail: {
      messageId,
      subject: m.subject,
      fromName: m.from?.name ?? '',
      fromEmail: m.from?.address ?? '',
      // the Date header as written (unfolded), kept on the row: git am takes it as the author date
      dateHeader: m.headers['date']?.[0] ?? m.lenient?.headers['date'] ?? '',
      to: m.to.map((a) => ({ name: a.name, address: a.address })),
      cc: m.cc.map((a) => ({ name: a.name, address: a.address })),
      body: m.body,
      inReplyTo: m.inReplyTo,
      references: m.inReplyTo ? [...refs, m.inReplyTo] : refs,
    },
  };
}

/** The version asked for: "-v 3" names a version ("3", or "5.1"), or the newest of that number; none asks for the newest. */
export function pickVersion(series: SeriesView, wanted: string | undefined): SeriesVersionView {
  const versions = series.versions;
  const newest = versions[versions.length - 1];
  if (!newest) throw new LoregraphError('NOT_FOUND', 'the series has no versions');
  if (wanted === undefined) return newest;
  const v = wanted.replace(/^v/i, '');
  const exact = versions.filter((x) => x.version === v);
  const major = versions.filter((x) => x.version.split('.')[0] === v);
  const hit = exact[exact.length - 1] ?? major[major.length - 1];
  if (!hit) throw new LoregraphError('NOT_FOUND', `no version ${wanted} of "${series.title}" (versions: ${versions.map((x) => x.version).join(', ')})`);
  return hit;
}

/** Every mail of the threads the series' versions live in, first stored copy each, in archive order. */
function familyMails(db: Db, series: SeriesView): AmMail[] {
  const roots = new Set<string>();
  for (const v of series.versions) {
    for (const id of [v.coverMessageId, ...v.patches.map((p) => p.messageId)]) {
      const root = id ? threadRootOf(db, id) : null;
      if (root) roots.add(root);
    }
  }
  const loaded: Loaded[] = [];
  const seen = new Set<string>();
  for (const root of roots) {
    for (const id of threadMessageIds(db, root)) {
      if (seen.has(id)) continue;
      seen.add(id);
      const l = loadMail(db, id);
      if (l) loaded.push(l);
    }
  }
  // patches threaded nowhere near the others (broken threading) are still the series'
  for (const v of series.versions) {
    for (const id of [v.coverMessageId, ...v.patches.map((p) => p.messageId)]) {
      if (!id || seen.has(id)) continue;
      seen.add(id);
      const l = loadMail(db, id);
      if (l) loaded.push(l);
    }
  }
  return loaded.sort((a, b) => a.row - b.row).map((l) => l.mail);
}

export interface SeriesMails {
  series: SeriesView;
  version: SeriesVersionView;
  input: AmInput;
}

/** The series a message belongs to, one version of it as `buildAm` input. */
export function seriesMails(db: Db, messageId: string, wanted?: string): SeriesMails {
  const series = getSeries(db, messageId);
  const version = pickVersion(series, wanted);
  const mails = familyMails(db, series);
  const byId = new Map(mails.map((m) => [m.messageId, m]));
  const patches = version.patches.flatMap((p) => {
    const mail = byId.get(p.messageId);
    return mail ? [{ index: p.index, mail }] : [];
  });
  const cover = version.coverMessageId ? (byId.get(version.coverMessageId) ?? null) : (amendedCover(series, version, byId) ?? null);
  const used = new Set([cover?.messageId, ...patches.map((p) => p.mail.messageId)]);
  return {
    series,
    version,
    input: {
      version: version.version,
      total: version.total ?? patches.length,
      patches,
      cover,
      others: mails.filter((m) => !used.has(m.messageId)),
    },
  };
}

// A partial re-roll has no cover of its own: the version it amends gives it hers.
function amendedCover(series: SeriesView, v: SeriesVersionView, byId: Map<string, AmMail>): AmMail | undefined {
  if (!v.amends) return undefined;
  const base = series.versions.find((x) => x.version === v.amends);
  return base?.coverMessageId ? byId.get(base.coverMessageId) : undefined;
}
