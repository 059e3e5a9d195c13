import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, loadMigrations, openDb, SCHEMA_VERSION } from '../db/connection.ts';
import { pendingPatchWork } from '../db/patches.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loregraph-mig6-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const TRAILERS = JSON.stringify([
  { name: 'Reviewed-by', value: 'Ana Lyst <ana@example.org>', person: { name: 'Ana Lyst', email: 'ana@example.org' }, commit: null, commitSubject: null, url: null, stable: null, line: 9 },
  { name: 'Cc', value: 'stable@vger.kernel.org # 6.6', person: null, commit: null, commitSubject: null, url: null, stable: { extinfo: '6.6' }, line: 10 },
]);
const EVENTS = JSON.stringify([
  { kind: 'cc-stable', status: 'requested', branch: '6.6', upstreamCommit: null, title: 'mm: fix a race', titleKey: 'mm: fix a race', rc: null, version: null, base: null },
]);

/** A schema-5 database whose last run was killed after storing row 2 and before its end-of-ingest pass. */
function schema5(path: string): void {
  const db = openDb(path, { migrations: loadMigrations().filter((m) => m.version <= 5) });
  closeDb(db);
  const raw = new Database(path);
  const msg = raw.prepare(`INSERT INTO messages (id, message_id, content_hash, subject, base_subject, is_reply, date_source, body, raw, raw_codec, raw_size)
    VALUES (?, ?, ?, 'x', 'x', 0, 'date', '', x'00', 'none', 1)`);
  const patch = raw.prepare(`INSERT INTO patch_msgs (msg_row, message_id, kind, subject, title, title_key, version_major, rfc, resend, autosel, date,
    trailers_json, events_json, materialized) VALUES (?, ?, ?, 'x', 'x', 'x', 1, 0, 0, 0, 1700000000000, ?, ?, ?)`);
  msg.run(1, 'done@example.org', 'h1');
  patch.run(1, 'done@example.org', 'patch', TRAILERS, '[]', 1);
  msg.run(2, 'pending@example.org', 'h2');
  patch.run(2, 'pending@example.org', 'patch', TRAILERS, EVENTS, 0);
  raw.close();
}

describe('migration 006: trailers and stable events stored with their message', () => {
  it('copies out what a killed run left as JSON, and marks the rows the end-of-ingest passes still owe', () => {
    const path = join(dir, 'old.db');
    schema5(path);
    const db = openDb(path);
    expect(pendingPatchWork(db)).toEqual({ rows: 1, upto: 2, seriesMembers: true, trailers: true, stableEvents: true });
    closeDb(db);
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT msg_row, name, person_email, stable_extinfo, followup, target_message_id FROM trailers ORDER BY id').all()).toEqual([
      { msg_row: 2, name: 'Reviewed-by', person_email: 'ana@example.org', stable_extinfo: null, followup: 0, target_message_id: 'pending@example.org' },
      { msg_row: 2, name: 'Cc', person_email: null, stable_extinfo: '6.6', followup: 0, target_message_id: 'pending@example.org' },
    ]);
    expect(raw.prepare('SELECT msg_row, kind, status, branch, date, fix_key FROM stable_events').all()).toEqual([
      { msg_row: 2, kind: 'cc-stable', status: 'requested', branch: '6.6', date: 1700000000000, fix_key: null },
    ]);
    const cols = (raw.prepare(`SELECT name FROM pragma_table_info('patch_msgs')`).pluck().all() as string[]);
    expect(cols).not.toContain('trailers_json');
    expect(cols).not.toContain('materialized');
    raw.close();
  });

  it('migrates a patch table from builds before migration 002 took its final form, its rows counted as done', () => {
    const path = join(dir, 'early.db');
    schema5(path);
    const raw = new Database(path);
    raw.exec(`DELETE FROM patch_msgs WHERE msg_row = 2; DROP INDEX patch_msgs_pending;
      ALTER TABLE patch_msgs DROP COLUMN materialized; ALTER TABLE patch_msgs DROP COLUMN events_json; ALTER TABLE patch_msgs DROP COLUMN trailers_json;`);
    raw.close();
    const db = openDb(path);
    expect(pendingPatchWork(db)).toEqual({ rows: 0, upto: 0, seriesMembers: false, trailers: false, stableEvents: false });
    closeDb(db);
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(after.prepare('SELECT message_id FROM patch_msgs').pluck().all()).toEqual(['done@example.org']);
    expect(after.prepare(`SELECT value FROM meta WHERE key = 'patches_done_upto'`).pluck().get()).toBe('1');
    after.close();
  });
});
