// One message's RawMessage fields, whichever reader found it: the bytes as they are,
// with lenient recovery when the header block is not clean RFC 5322. And the test for
// whether a file met while walking a directory holds mail at all.
import type { RawMessage } from '../../domain/message.ts';
import { findAttributions } from './attribution.ts';
import { isCleanMessage, recoverLenient } from './lenient.ts';

/** The fields of a RawMessage that depend only on the bytes. */
export function messageFromBytes(bytes: Buffer): Omit<RawMessage, 'position'> {
  const recovered = recoverLenient(bytes);
  return recovered ? { bytes, lenient: recovered.recovery } : { bytes };
}

const TYPICAL = /^(from|date|subject|message-id|received|return-path|to|in-reply-to|references|delivered-to|mime-version)\s*:/im;

/**
 * Whether a file found while walking a directory holds a mail at all (so READMEs and
 * notes beside the mail are skipped rather than stored as header-less messages).
 */
export function looksLikeMail(bytes: Buffer): boolean {
  if (bytes.length === 0) return false;
  const head = bytes.toString('utf8', 0, Math.min(bytes.length, 8192));
  if (isCleanMessage(bytes)) {
    const block = head.split(/\r?\n\r?\n/, 1)[0] ?? '';
    return TYPICAL.test(block);
  }
  const r = recoverLenient(bytes.subarray(0, Math.min(bytes.length, 64 * 1024)));
  if (r?.recovery.kind === 'headers-run-together') return true;
  return findAttributions(head.slice(0, 2048)).some((a) => !a.quoted);
}
