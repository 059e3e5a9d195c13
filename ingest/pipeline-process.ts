// The per-message work that runs off the writer thread: hash, parse, analyze, build rows.
// Shared by the parse worker and the in-thread mode so both produce identical rows.
import type { Analyzer } from './analyzer.ts';
import { contentHash, MessageParseError, parseRawMessage } from './parse.ts';
import type { LenientRecovery, OversizedMessage, ParsedMessage, SourcePosition } from '../domain/message.ts';
import { messageRow, type KnownLayout, type MessageRow } from '../db/messages.ts';
import { ancestryChain } from '../domain/thread.ts';
import { indexedBody } from '../domain/search/extract.ts';
import { bodyCutOf } from './parse-body-cut.ts';

/**
 * messageRow for a message whose parsed body is only the first part of its body
 * (parse-fast.ts BODY_ANALYSED_BYTES): the row messageRow makes of the whole body, which
 * lies in the raw bytes, so the row stores it only there and carries the index's part of it
 * (what messageRow does for any body the raw bytes hold), without decoding it whole.
 */
function rowOf(parsed: ParsedMessage, bytes: Buffer, known: KnownLayout): MessageRow {
  const chain = ancestryChain(parsed);
  const cut = bodyCutOf(parsed);
  if (!cut) return messageRow(parsed, chain, bytes, known);
  return { ...messageRow({ ...parsed, body: '' }, chain, bytes, { ...known, bodySpan: null }), body: indexedBody(parsed.body), bodySpan: cut.span, bodyPacked: null };
}

/** A RawMessage as it crosses the thread boundary (Buffer becomes a plain Uint8Array). */
export interface WireRaw {
  bytes: Uint8Array;
  position: SourcePosition;
  envelope?: string;
  lenient?: LenientRecovery;
  oversized?: OversizedMessage;
  suspect?: string;
}

export type Processed =
  | {
      ok: true;
      message: MessageRow;
      analysis: Record<string, unknown>;
      /** The message as read: the writer compresses it (ingest/pipeline-store.ts). */
      stored: { data: Uint8Array; size: number };
      envelope: string | null;
      position: SourcePosition;
    }
  | { ok: false; reason: string; raw: Uint8Array; hash: string; position: SourcePosition };

export async function processRaw(item: WireRaw, analyzers: readonly Analyzer[]): Promise<Processed> {
  const bytes = Buffer.from(item.bytes.buffer, item.bytes.byteOffset, item.bytes.byteLength);
  if (item.oversized) {
    // Never parsed: recorded by the hash of all its bytes, with its head to look at.
    const o = item.oversized;
    const reason = `message of ${o.size} bytes is over the limit of ${o.limit} bytes (--max-message-bytes): recorded, not parsed; raw holds its first ${item.bytes.byteLength} bytes`;
    return { ok: false, reason, raw: item.bytes, hash: o.sha256, position: item.position };
  }
  let parsed: ParsedMessage;
  let known: KnownLayout;
  try {
    ({ parsed, ...known } = await parseRawMessage({
      bytes,
      position: item.position,
      ...(item.envelope !== undefined ? { envelope: item.envelope } : {}),
      ...(item.lenient !== undefined ? { lenient: item.lenient } : {}),
    }));
  } catch (e) {
    const reason = e instanceof MessageParseError ? e.reason : `parser crashed: ${e instanceof Error ? e.message : String(e)}`;
    return { ok: false, reason, raw: item.bytes, hash: contentHash(bytes), position: item.position };
  }
  if (item.suspect) parsed.notes.push(item.suspect);
  const analysis: Record<string, unknown> = {};
  for (const a of analyzers) {
    try {
      const r = a.analyze(parsed);
      if (r !== undefined) analysis[a.name] = r;
    } catch (e) {
      // a broken analyzer must not cost us the message; its absence is visible in notes
      parsed.notes.push(`analyzer ${a.name} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  // built after the analyzers, whose failures land in the notes it stores; given the raw
  // bytes, it leaves out of the row the body and headers that read back from them
  const message = rowOf(parsed, bytes, known);
  // The body of a row that stores it in the raw bytes or packed is read by nothing but the
  // search index's fallback for a message whose extraction failed here: with a search doc
  // made, it would cross to the writer for nothing (up to the index's 4 MiB, copied out and
  // in again beside the doc's own; the packed ones were 16 MB of the corpus's 8,941 messages).
  if ((message.bodySpan || message.bodyPacked) && analysis['search-index'] !== undefined) message.body = '';
  return {
    ok: true,
    message,
    analysis,
    stored: { data: item.bytes, size: item.bytes.byteLength },
    envelope: item.envelope ?? null,
    position: item.position,
  };
}
