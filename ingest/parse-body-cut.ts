// A body too large to analyse whole (parse-fast.ts BODY_ANALYSED_BYTES): the parsed
// message's body is its first part, and this says where the whole of it lies in the raw
// bytes, for the stored row (which reads the body back from there) and for what is still
// read over all of it (the diff summary and patch-id, ingest/patch-analysis.ts). Kept beside
// the message, weakly, as the patch analysis is: ParsedMessage stays what every parser gives.
import type { ParsedMessage } from '../domain/message.ts';
import type { BodySpan } from '../domain/stored-text.ts';

export interface BodyCut {
  /** The whole body: a view of the raw bytes, valid UTF-8 with no CR, read as it is. */
  bytes: Buffer;
  /** Where it lies in the raw bytes. */
  span: BodySpan;
}

const cuts = new WeakMap<ParsedMessage, BodyCut>();

export function markBodyCut(msg: ParsedMessage, cut: BodyCut): void {
  cuts.set(msg, cut);
}

/** The whole body of a message whose parsed body is only its first part, else undefined. */
export function bodyCutOf(msg: ParsedMessage): BodyCut | undefined {
  return cuts.get(msg);
}
