// Atom (RFC 4287) for a search, produced as a stream of string chunks so a long feed
// starts flowing before the last entry is read. Everything from a mail goes out as
// escaped text (type="text"), never as HTML.
import { xmlEscape } from './xml.ts';

export interface FeedEntry {
  messageId: string;
  subject: string;
  from: { name: string; address: string } | null;
  /** ms since the epoch, or null when the mail had no plausible date. */
  date: number | null;
  /** Plain text shown as the entry summary. */
  summary: string;
}

export interface FeedMeta {
  title: string;
  /** Absolute URL of this feed. */
  selfUrl: string;
  /** Absolute URL of the server root, ending in '/'. */
  baseUrl: string;
  /** Used for <updated> when no entry has a date. */
  now: number;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function messageUrl(baseUrl: string, messageId: string): string {
  return `${baseUrl}api/messages/${encodeURIComponent(messageId)}`;
}

function entryXml(e: FeedEntry, meta: FeedMeta): string {
  const url = messageUrl(meta.baseUrl, e.messageId);
  const author = e.from
    ? `<author><name>${xmlEscape(e.from.name || e.from.address)}</name>${e.from.address ? `<email>${xmlEscape(e.from.address)}</email>` : ''}</author>`
    : '<author><name>unknown</name></author>';
  return (
    `<entry><id>${xmlEscape(url)}</id>` +
    `<title type="text">${xmlEscape(e.subject || '(no subject)')}</title>` +
    `<updated>${iso(e.date ?? meta.now)}</updated>` +
    author +
    `<link rel="alternate" type="application/json" href="${xmlEscape(url)}"/>` +
    `<summary type="text">${xmlEscape(e.summary)}</summary></entry>\n`
  );
}

/**
 * The feed as chunks. `updated` of the feed is the newest entry's date, which for a
 * newest-first search is the first entry: the header is emitted once it is known.
 */
export function* atomFeed(meta: FeedMeta, entries: Iterable<FeedEntry>): Generator<string> {
  let headerSent = false;
  const header = (updated: number) =>
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<feed xmlns="http://www.w3.org/2005/Atom">' +
    `<title type="text">${xmlEscape(meta.title)}</title>` +
    `<id>${xmlEscape(meta.selfUrl)}</id>` +
    `<link rel="self" href="${xmlEscape(meta.selfUrl)}"/>` +
    `<updated>${iso(updated)}</updated>\n`;
  for (const e of entries) {
    if (!headerSent) {
      yield header(e.date ?? meta.now);
      headerSent = true;
    }
    yield entryXml(e, meta);
  }
  if (!headerSent) yield header(meta.now);
  yield '</feed>\n';
}
