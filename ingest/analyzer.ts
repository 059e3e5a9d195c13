// Analyzers add knowledge to a message as it is ingested (patches and trailers, the
// full-text index, ...). They are split in two so the expensive part runs beside the
// parser, off the writer thread: `analyze` is pure and runs in the parse worker; its
// result (structured-cloneable) is handed to `store`, which runs on the writer thread
// inside the same transaction that stores the message, so a killed ingest never leaves a
// message without its analysis.
import type { Db } from '../db/connection.ts';
import type { MessageRow } from '../db/messages.ts';
import type { ParsedMessage } from '../domain/message.ts';

export interface StoredRef {
  /** messages.id of the row just inserted. */
  rowId: number;
  messageId: string;
}

export interface Analyzer<T = unknown> {
  name: string;
  /** Pure; runs in the parse worker. Return undefined when there is nothing to store. */
  analyze(msg: ParsedMessage): T | undefined;
  /** Runs on the writer thread, inside the ingest transaction, only for newly stored messages. */
  store(db: Db, ref: StoredRef, result: T | undefined, msg: MessageRow): void;
  /** Runs once at the end of an ingest run, in its own transaction (cross-message work: series, statuses). */
  finish?(db: Db): void;
}
