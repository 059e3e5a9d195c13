// Stored copies of messages. Raw bytes are kept compressed (the codec is recorded per row
// so it can change), on their own or in packs of consecutive messages (db/raw-codec.ts,
// db/raw-packs.ts), and always come back byte-exact.
import { brotliCompressSync, constants } from 'node:zlib';
import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.ts';
import type { Address, ParsedMessage, SourcePosition } from '../domain/message.ts';
import { baseSubject } from '../domain/thread.ts';
import { bodyOfSpan, bodySpanIn, headerFieldsOf, type BodySpan } from '../domain/stored-text.ts';
import { indexedBody } from '../domain/search/extract.ts';
import { decodeRaw, packSpan, PACKED_RAW, rawBytesOf, rawColumns, type RawCodec, type RawColumns } from './raw-codec.ts';
import type { RawPacker } from './raw-packs.ts';

export { decodeRaw, encodeRaw, type RawCodec } from './raw-codec.ts';

/**
 * Relay, spam-filter and list-manager noise: not copied into the `headers` JSON (the raw
 * bytes keep everything), where on real list mail it is often half of the size.
 */
const NOT_STORED = /^(return-path|x-original-to|delivered-to|sender|precedence|x-barracuda-.*|x-asg-.*|x-virus-.*|x-spam-.*|x-ms-.*|x-mailman-.*|x-beenthere|list-(unsubscribe|subscribe|post|help|owner)(-post)?|mail-followup-to|thread-(topic|index)|accept-language|x-originating-ip|x-msmail-.*|x-mimeole|importance|x-priority|autocrypt|openpgp)$/;

/** The headers the row keeps: every parsed one but NOT_STORED, in order. */
function storedHeaders(headers: Record<string, string[]>): Record<string, string[]> {
  // no prototype: a header named __proto__ is kept as a key, not taken for the prototype
  const kept = Object.create(null) as Record<string, string[]>;
  for (const [k, v] of Object.entries(headers)) if (!notStored(k)) kept[k] = v;
  return kept;
}

/** NOT_STORED's verdict by key: the same few dozen keys come back in every message. */
const notStoredKeys = new Map<string, boolean>();

function notStored(key: string): boolean {
  let v = notStoredKeys.get(key);
  if (v === undefined) {
    v = NOT_STORED.test(key);
    if (notStoredKeys.size >= 4096) notStoredKeys.clear();
    notStoredKeys.set(key, v);
  }
  return v;
}

/**
 * Whether storedHeaders(headers) is written out as the same JSON as `read`: the same keys
 * in the same order (storedHeaders keeps the order of those it keeps), each with the same
 * strings. Asked of every message, so neither map is built nor written out for it.
 */
function storedHeadersAre(headers: Record<string, string[]>, read: Record<string, string[]>): boolean {
  const keys = Object.keys(read);
  let i = 0;
  for (const k of Object.keys(headers)) {
    if (notStored(k)) continue;
    if (keys[i++] !== k) return false;
    const a = headers[k] as string[];
    const b = read[k] as string[];
    if (a.length !== b.length) return false;
    for (let j = 0; j < a.length; j++) if (typeof a[j] !== 'string' || a[j] !== b[j]) return false;
  }
  return i === keys.length;
}

/**
 * The keys a row with headers_from_raw = 1 leaves out when its headers are read back from
 * the raw bytes: ingest/parse.ts's DROPPED_HEADER, Received, and NOT_STORED, as they were
 * when that value was defined. Frozen: such rows were checked against this rule when
 * written, so changing either list takes a new value of the column, not an edit here.
 */
const HEADERS_FROM_RAW_V1 =
  /^(received|x-received|dkim-signature|arc-.*|authentication-results|received-spf|x-google-.*|x-gm-.*|x-ms-.*|x-microsoft-.*|x-forefront-.*|x-face|face|x-proofpoint-.*|x-ironport-.*|return-path|x-original-to|delivered-to|sender|precedence|x-barracuda-.*|x-asg-.*|x-virus-.*|x-spam-.*|x-mailman-.*|x-beenthere|list-(unsubscribe|subscribe|post|help|owner)(-post)?|mail-followup-to|thread-(topic|index)|accept-language|x-originating-ip|x-msmail-.*|x-mimeole|importance|x-priority|autocrypt|openpgp)$/;

/** The stored headers JSON, read back from the raw bytes (a row with headers_from_raw = 1). */
export function headersJsonFromRaw(raw: Uint8Array): string {
  return JSON.stringify(headerFieldsOf(raw, HEADERS_FROM_RAW_V1));
}

export interface StoredRaw {
  /** The message: as read when codec is null (it goes into the insert's pack), else as encodeRaw made it. */
  data: Uint8Array;
  codec: RawCodec | null;
  /** Bytes before encoding. */
  size: number;
  envelope: string | null;
  position: SourcePosition;
}

interface Stmts {
  insert: Statement;
  addr: Statement;
  ref: Statement;
}
const cache = new WeakMap<Db, Stmts>();

function stmts(db: Db): Stmts {
  let s = cache.get(db);
  if (!s) {
    s = {
      insert: db.sql.prepare(`INSERT OR IGNORE INTO messages
        (message_id, message_id_synthesized, content_hash, subject, base_subject, is_reply, from_name, from_address,
         date, date_source, in_reply_to, thread_parent, list_id, body, attachments, headers, lenient, notes,
         raw, raw_codec, raw_size, envelope, source_id, source_offset, source_index, source_commit, source_file,
         body_start, body_end, headers_from_raw, body_codec, raw_pack, raw_pack_offset)
        VALUES (${Array.from({ length: 33 }, () => '?').join(', ')})`),
      addr: db.sql.prepare('INSERT INTO message_addresses (message_row, kind, pos, name, address) VALUES (?, ?, ?, ?, ?)'),
      ref: db.sql.prepare('INSERT INTO message_refs (message_row, pos, ref_id) VALUES (?, ?, ?)'),
    };
    cache.set(db, s);
  }
  return s;
}

/** Who wrote what when: the columns a listing of messages shows. */
export interface MessageHead {
  messageId: string;
  subject: string;
  /** baseSubject(subject).base: reply prefixes stripped, lower case, spaces collapsed. */
  baseSubject: string;
  isReply: boolean;
  fromName: string | null;
  fromAddress: string | null;
  /** Epoch milliseconds, or null when undated. */
  date: number | null;
}

/**
 * A parsed message as the writer stores it, beyond its head: every messages column that
 * derives from the message, JSON included, plus what goes into the address and ancestry
 * tables. Built by messageRow in the parse worker, so the writer thread only binds values
 * (and no header map has to cross the thread boundary).
 */
export interface MessageRow extends MessageHead {
  messageIdSynthesized: boolean;
  contentHash: string;
  dateSource: ParsedMessage['dateSource'];
  inReplyTo: string | null;
  /** The ancestry chain (domain/thread.ts ancestryChain); its last id is the declared parent. */
  chain: string[];
  listId: string | null;
  /** The decoded body; with a bodySpan or bodyPacked, only its first indexedBody (the row stores it in those). */
  body: string;
  /** Where the body lies in the raw bytes, when it is a run of them: then the row stores it only there. */
  bodySpan: BodySpan | null;
  /** Otherwise a long body is stored compressed (encodeBody), and this holds it. */
  bodyPacked: Uint8Array | null;
  to: Address[];
  cc: Address[];
  attachmentsJson: string;
  /** The headers column: the kept headers as JSON, or '' when headersFromRaw. */
  headersJson: string;
  /** The kept headers are what headersJsonFromRaw reads from the raw bytes: the row does not store them. */
  headersFromRaw: boolean;
  lenientJson: string | null;
  notesJson: string;
}

/**
 * Whether the headers read back from the raw bytes, for headers that are every line of the
 * raw header block but those of the keys `dropped` (as the parser says of most mail):
 * headerFieldsOf then reads the same lines less HEADERS_FROM_RAW_V1's keys, the row keeps
 * them less NOT_STORED's, and the two agree when HEADERS_FROM_RAW_V1 drops every key the
 * parser dropped and the two rules agree on each key the parser kept.
 */
function rawLinesReadBack(headers: Record<string, string[]>, dropped: readonly string[]): boolean {
  for (const k of dropped) if (!fromRawDrops(k)) return false;
  for (const k of Object.keys(headers)) if (notStored(k) !== fromRawDrops(k)) return false;
  return true;
}

/** HEADERS_FROM_RAW_V1's verdict by key, kept as notStored's is. */
const fromRawDropKeys = new Map<string, boolean>();

function fromRawDrops(key: string): boolean {
  let v = fromRawDropKeys.get(key);
  if (v === undefined) {
    v = HEADERS_FROM_RAW_V1.test(key);
    if (fromRawDropKeys.size >= 4096) fromRawDropKeys.clear();
    fromRawDropKeys.set(key, v);
  }
  return v;
}

/** What the parser knows of the raw bytes it read a message from; null fields it does not know. */
export interface KnownLayout {
  /** msg.headers are every line of the raw header block but those of these keys. */
  droppedFromRawLines: readonly string[] | null;
  /** Where msg.body lies in the raw bytes: what bodySpanIn would find. */
  bodySpan: BodySpan | null;
}

/**
 * Pure: the row for a parsed message and its ancestry chain. Given the raw bytes the row
 * will store, the body and headers that read back from them exactly are not stored twice.
 * `known`: what the parser says of where the message's parts lie in the raw bytes
 * (ingest/parse.ts ParseResult), which spares reading them again.
 */
export function messageRow(msg: ParsedMessage, chain: string[], raw?: Uint8Array, known?: KnownLayout): MessageRow {
  const droppedFromRawLines = known?.droppedFromRawLines ?? null;
  const { base, isReply } = baseSubject(msg.subject);
  // compared as maps, not as JSON: nearly every message's headers read back, and then their
  // JSON is neither written nor sent to the writer thread
  const headersFromRaw =
    raw !== undefined && (droppedFromRawLines ? rawLinesReadBack(msg.headers, droppedFromRawLines) : storedHeadersAre(msg.headers, headerFieldsOf(raw, HEADERS_FROM_RAW_V1)));
  const bodySpan = raw ? (known?.bodySpan ?? bodySpanIn(raw, msg.body)) : null;
  const bodyPacked = raw && !bodySpan ? encodeBody(msg.body) : null;
  return {
    messageId: msg.messageId,
    messageIdSynthesized: msg.messageIdSynthesized,
    contentHash: msg.contentHash,
    subject: msg.subject,
    baseSubject: base,
    isReply,
    fromName: msg.from?.name ?? null,
    fromAddress: msg.from?.address ?? null,
    date: msg.date,
    dateSource: msg.dateSource,
    inReplyTo: msg.inReplyTo,
    chain,
    listId: msg.listId,
    // A body the raw bytes hold, or a packed one, is not stored as text (insertMessage), and
    // past that only the search index's fallback reads it, which reads no more than
    // indexedBody: a 60 MB log's text is not copied to the writer thread for nothing.
    body: bodySpan || bodyPacked ? indexedBody(msg.body) : msg.body,
    bodySpan,
    bodyPacked,
    to: msg.to,
    cc: msg.cc,
    attachmentsJson: JSON.stringify(msg.attachments),
    headersJson: headersFromRaw ? '' : JSON.stringify(storedHeaders(msg.headers)),
    headersFromRaw,
    lenientJson: msg.lenient ? JSON.stringify(msg.lenient) : null,
    notesJson: JSON.stringify(msg.notes),
  };
}

const NO_BYTES = new Uint8Array(0);

/**
 * Stores one copy; returns its row id, or null when the same bytes are already stored. Call
 * inside a transaction. Raw bytes as read (codec null) go into `packer`'s pack, and only
 * when the row is stored: a duplicate leaves no bytes in a pack.
 */
export function insertMessage(db: Db, m: MessageRow, raw: StoredRaw, sourceId: number | null, packer?: RawPacker): number | null {
  const s = stmts(db);
  if (raw.codec === null && !packer) throw new Error('raw bytes as read need a packer');
  const place = raw.codec === null ? packer?.place(raw.data.byteLength) : undefined;
  const info = s.insert.run(
    m.messageId,
    m.messageIdSynthesized ? 1 : 0,
    m.contentHash,
    m.subject,
    m.baseSubject,
    m.isReply ? 1 : 0,
    m.fromName,
    m.fromAddress,
    m.date,
    m.dateSource,
    m.inReplyTo,
    m.chain.at(-1) ?? null,
    m.listId,
    m.bodySpan ? '' : (m.bodyPacked ?? m.body),
    m.attachmentsJson,
    m.headersFromRaw ? '' : m.headersJson,
    m.lenientJson,
    m.notesJson,
    place ? NO_BYTES : raw.data,
    place ? PACKED_RAW : raw.codec,
    raw.size,
    raw.envelope,
    sourceId,
    raw.position.offset,
    raw.position.index,
    raw.position.commit ?? null,
    raw.position.file ?? null,
    m.bodySpan?.start ?? null,
    m.bodySpan?.end ?? null,
    m.headersFromRaw ? 1 : 0,
    m.bodyPacked ? BODY_CODEC : null,
    place?.pack ?? null,
    place?.offset ?? null,
  );
  if (info.changes === 0) return null;
  if (place) packer?.add(raw.data);
  const row = Number(info.lastInsertRowid);
  m.to.forEach((a, i) => s.addr.run(row, 'to', i, a.name, a.address));
  m.cc.forEach((a, i) => s.addr.run(row, 'cc', i, a.name, a.address));
  m.chain.forEach((id, i) => s.ref.run(row, i, id));
  return row;
}

export function hasContentHash(db: Db, hash: string): boolean {
  return db.sql.prepare('SELECT 1 FROM messages WHERE content_hash = ?').get(hash) !== undefined;
}

export function countMessages(db: Db): number {
  return (db.sql.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n;
}

export function countLenientMessages(db: Db): number {
  return (db.sql.prepare('SELECT COUNT(*) AS n FROM messages WHERE lenient IS NOT NULL').get() as { n: number }).n;
}

export interface MessageSummary {
  rowId: number;
  messageId: string;
  subject: string;
  fromName: string | null;
  fromAddress: string | null;
  date: number | null;
}

/** Every stored copy of a Message-ID, oldest row first. */
export function messageCopies(db: Db, messageId: string): MessageSummary[] {
  return db.sql
    .prepare(`SELECT id AS rowId, message_id AS messageId, subject, from_name AS fromName, from_address AS fromAddress, date
              FROM messages WHERE message_id = ? ORDER BY id`)
    .all(messageId) as MessageSummary[];
}

export interface RawCopy {
  rowId: number;
  messageId: string;
  bytes: Buffer;
  envelope: string | null;
  date: number | null;
}

/** Raw bytes (decompressed, byte-exact) of every stored copy of the given Message-IDs, by date then row. */
type RawCopyRow = RawColumns & { id: number; message_id: string; envelope: string | null; date: number | null };

export function rawCopies(db: Db, messageIds: readonly string[]): RawCopy[] {
  const stmt = db.sql.prepare(`SELECT id, message_id, ${rawColumns()}, envelope, date FROM messages WHERE message_id = ?`);
  const out: RawCopy[] = [];
  for (const id of messageIds) {
    for (const r of stmt.all(id) as RawCopyRow[]) {
      out.push({ rowId: r.id, messageId: r.message_id, bytes: rawBytesOf(r), envelope: r.envelope, date: r.date });
    }
  }
  return out.sort((a, b) => (a.date ?? Infinity) - (b.date ?? Infinity) || a.rowId - b.rowId);
}

/** Content hashes in row order: the identity of what is stored, for digests and tests. */
export function contentHashesInOrder(db: Db): string[] {
  return (db.sql.prepare('SELECT content_hash FROM messages ORDER BY id').pluck().all() as string[]);
}

export function countDistinctMessageIds(db: Db): number {
  return (db.sql.prepare('SELECT COUNT(DISTINCT message_id) AS n FROM messages').get() as { n: number }).n;
}

/** Every stored copy in row (ingest) order, decompressed; for export and verification. */
export function* allRawInRowOrder(db: Db): Generator<RawCopy> {
  const stmt = db.sql.prepare(`SELECT id, message_id, ${rawColumns()}, envelope, date FROM messages ORDER BY id`);
  for (const r of stmt.iterate() as Iterable<RawCopyRow>) {
    yield { rowId: r.id, messageId: r.message_id, bytes: rawBytesOf(r), envelope: r.envelope, date: r.date };
  }
}

/** A row's body and headers columns with what they need when they live in the raw bytes. */
export interface StoredTextColumns extends RawColumns {
  /** Text, or with body_codec its compressed UTF-8. */
  body: string | Uint8Array;
  body_codec: string | null;
  headers: string;
  body_start: number | null;
  body_end: number | null;
  headers_from_raw: number;
}

/** The columns storedText needs, for a SELECT on messages. */
export const STORED_TEXT_COLUMNS = `body, body_codec, headers, body_start, body_end, headers_from_raw, ${rawColumns()}`;

/** The row's raw bytes to read text from: a packed row's are a view into its cached pack, not a copy. */
function rawToRead(r: RawColumns): Buffer {
  return r.raw_pack === null ? rawBytesOf(r) : packSpan(r);
}

/** The decoded body and the headers JSON of a row, whether stored or read from its raw bytes. */
export function storedText(r: StoredTextColumns): { body: string; headersJson: string } {
  if (!bodyFromRaw(r) && r.headers_from_raw === 0) return { body: unpackBody(r.body, r.body_codec), headersJson: r.headers };
  const bytes = rawToRead(r);
  return { body: storedBody(r, bytes), headersJson: r.headers_from_raw === 1 ? headersJsonFromRaw(bytes) : r.headers };
}

function bodyFromRaw(r: StoredTextColumns): boolean {
  return r.body_start !== null && r.body_end !== null;
}

/** The row's decoded body, given its decoded raw bytes (read only when the body lies in them). */
function storedBody(r: StoredTextColumns, bytes: Buffer): string {
  return bodyFromRaw(r) ? bodyOfSpan(bytes, { start: r.body_start ?? 0, end: r.body_end ?? 0 }) : unpackBody(r.body, r.body_codec);
}

/** storedText for a reader that wants the headers as an object: a derived map is not written out as JSON to be parsed back. */
export function storedMessageText(r: StoredTextColumns): { body: string; headers: Record<string, string[]> } {
  if (r.headers_from_raw !== 1) {
    const { body, headersJson } = storedText(r);
    let headers: Record<string, string[]> = {};
    try {
      headers = JSON.parse(headersJson) as Record<string, string[]>;
    } catch {
      // an unreadable map reads as none, as the message view always did
    }
    return { body, headers };
  }
  const bytes = rawToRead(r);
  return { body: storedBody(r, bytes), headers: headerFieldsOf(bytes, HEADERS_FROM_RAW_V1) };
}

/** The first n code points of s (what SQLite's substr counts), without splitting a surrogate pair. */
function firstCodePoints(s: string, n: number): string {
  if (s.length <= n) return s;
  let units = 0;
  for (let cp = 0; cp < n && units < s.length; cp++) units += (s.codePointAt(units) ?? 0) > 0xffff ? 2 : 1;
  return s.slice(0, units);
}

/**
 * SQL for the decoded body of the messages row `alias` (its first `limit` characters when
 * given), stored or read from the raw bytes; the raw bytes are read only for the latter.
 */
export function bodySql(alias: string, limit?: number): string {
  const a = `${alias}.`;
  const lim = limit === undefined ? '' : `, ${limit}`;
  const stored = limit === undefined ? `${a}body` : `substr(${a}body, 1, ${limit})`;
  const pack = (col: string): string => `(SELECT p.${col} FROM raw_packs p WHERE p.id = ${a}raw_pack)`;
  const derived = `message_body_of_raw(${a}raw, ${a}raw_codec, ${a}raw_pack, ${pack('data')}, ${pack('codec')}, ${pack('size')}, ${a}raw_pack_offset, ${a}raw_size, ${a}body_start, ${a}body_end${lim})`;
  const packed = `message_body_unpacked(${a}body, ${a}body_codec${lim})`;
  return `(CASE WHEN ${a}body_start IS NOT NULL THEN ${derived} WHEN ${a}body_codec IS NOT NULL THEN ${packed} ELSE ${stored} END)`;
}

/** The SQL functions bodySql uses; openDb registers them on every connection. */
export function registerMessageFunctions(sql: Database.Database): void {
  sql.function('message_body_of_raw', { deterministic: true, varargs: true }, (...args: unknown[]) => {
    const [raw, codec, pack, packData, packCodec, packSize, packOffset, size, start, end, limit] = args;
    if (!(raw instanceof Uint8Array) || typeof codec !== 'string' || typeof size !== 'number' || typeof start !== 'number' || typeof end !== 'number') return null;
    const r: RawColumns = {
      raw,
      raw_codec: codec,
      raw_size: size,
      raw_pack: typeof pack === 'number' ? pack : null,
      raw_pack_offset: typeof packOffset === 'number' ? packOffset : null,
      raw_pack_data: packData instanceof Uint8Array ? packData : null,
      raw_pack_codec: typeof packCodec === 'string' ? packCodec : null,
      raw_pack_size: typeof packSize === 'number' ? packSize : null,
    };
    const bytes = rawToRead(r);
    if (typeof limit !== 'number') return bodyOfSpan(bytes, { start, end });
    // a code point is at most 4 bytes: the first `limit` of them lie in the first 4 * limit bytes
    return firstCodePoints(bodyOfSpan(bytes, { start, end: Math.min(end, start + 4 * limit) }), limit);
  });
  sql.function('message_body_unpacked', { deterministic: true, varargs: true }, (...args: unknown[]) => {
    const [body, codec, limit] = args;
    if (!(body instanceof Uint8Array) || typeof codec !== 'string') return null;
    const text = unpackBody(body, codec);
    return typeof limit === 'number' ? firstCodePoints(text, limit) : text;
  });
}

/**
 * A body that is not a run of the raw bytes (quoted-printable, base64, multipart, flowed,
 * CRLF...) is stored as brotli, at quality 3 against raw's 0: such bodies were a fifth of
 * lore's race samples but all of the body bytes left after spans, and came out 3.0x smaller
 * against 2.7x at quality 0 (quality 5: 3.3x for twice the CPU of 3). Below BODY_PACK_MIN
 * bytes compression gains too little to be worth a decode on every read.
 */
const BODY_CODEC = 'brotli';
const BODY_PACK_MIN = 512;

function encodeBody(body: string): Buffer | null {
  if (body.length < BODY_PACK_MIN / 4) return null;
  const bytes = Buffer.from(body, 'utf8');
  if (bytes.length < BODY_PACK_MIN) return null;
  const packed = brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 3, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });
  return packed.length < bytes.length ? packed : null;
}

function unpackBody(body: string | Uint8Array, codec: string | null): string {
  if (typeof body === 'string') return body;
  return decodeRaw(body, codec ?? 'none').toString('utf8');
}

export interface CompactProgress {
  /** The last row looked at: the next batch starts after it. */
  lastRowId: number;
  rows: number;
  /** Bodies now read from the raw bytes, bodies now packed, header maps now read from the raw bytes. */
  spans: number;
  packed: number;
  headers: number;
}

/**
 * Rows stored before migrations 011/012 put in today's layout (`loregraph compact`): a body
 * the raw bytes hold and header maps they give back exactly are dropped from the row, other
 * long bodies packed, as the writer does for new rows. Up to `limit` rows after
 * `afterRowId`, in one transaction; the space comes back to the file with VACUUM.
 */
export function compactStoredText(db: Db, afterRowId: number, limit: number): CompactProgress {
  const rows = db.sql
    .prepare(
      `SELECT id, ${STORED_TEXT_COLUMNS} FROM messages
       WHERE id > ? AND ((body_start IS NULL AND body_codec IS NULL) OR headers_from_raw = 0) ORDER BY id LIMIT ?`,
    )
    .all(afterRowId, limit) as (StoredTextColumns & { id: number })[];
  const body = db.sql.prepare('UPDATE messages SET body = ?, body_start = ?, body_end = ?, body_codec = ? WHERE id = ?');
  const headers = db.sql.prepare("UPDATE messages SET headers = '', headers_from_raw = 1 WHERE id = ?");
  const out: CompactProgress = { lastRowId: rows.at(-1)?.id ?? afterRowId, rows: rows.length, spans: 0, packed: 0, headers: 0 };
  db.sql.transaction(() => {
    for (const r of rows) {
      const bytes = rawToRead(r);
      if (r.body_start === null && r.body_codec === null && typeof r.body === 'string') {
        const span = bodySpanIn(bytes, r.body);
        const packed = span ? null : encodeBody(r.body);
        if (span) body.run('', span.start, span.end, null, r.id);
        else if (packed) body.run(packed, null, null, BODY_CODEC, r.id);
        if (span) out.spans++;
        if (packed) out.packed++;
      }
      if (r.headers_from_raw === 0 && headersJsonFromRaw(bytes) === r.headers) {
        headers.run(r.id);
        out.headers++;
      }
    }
  })();
  return out;
}

/** VACUUM: the file shrinks to what it holds (after compactStoredText). */
export function vacuum(db: Db): void {
  db.sql.exec('VACUUM');
}
