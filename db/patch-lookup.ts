// Patch mails found by what a commit in someone's tree still has of them: the patch-id
// (`git patch-id --stable`, stored per patch mail) or the title and author. For `dig`.
import type { Db } from './connection.ts';

export interface PatchMailHit {
  messageId: string;
  subject: string;
  senderName: string | null;
  senderEmail: string | null;
  /** ms since the epoch. */
  date: number | null;
  version: string | null;
  /** '' for mainline submissions; a stable branch or AUTOSEL lane for backports. */
  lane: string;
}

const COLUMNS = 'message_id AS messageId, subject, sender_name AS senderName, sender_email AS senderEmail, date, version, lane';

/** Every patch mail with this patch-id, oldest first (first stored copy of each Message-ID). */
export function patchMailsByPatchId(db: Db, patchId: string): PatchMailHit[] {
  return db.sql
    .prepare(`SELECT ${COLUMNS} FROM patch_msgs WHERE patch_id = ? AND kind = 'patch' GROUP BY message_id ORDER BY date, msg_row`)
    .all(patchId) as PatchMailHit[];
}

/** Patch mails with this title (domain/patch/subject.ts subjectKey), by this sender when given, oldest first. */
export function patchMailsByTitle(db: Db, titleKey: string, senderEmail: string | null): PatchMailHit[] {
  const rows = db.sql
    .prepare(`SELECT ${COLUMNS} FROM patch_msgs WHERE title_key = ? AND kind = 'patch' GROUP BY message_id ORDER BY date, msg_row`)
    .all(titleKey) as PatchMailHit[];
  return senderEmail === null ? rows : rows.filter((r) => (r.senderEmail ?? '').toLowerCase() === senderEmail.toLowerCase());
}
