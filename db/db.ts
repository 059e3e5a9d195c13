// The handle every db/ query function takes. It lives apart from connection.ts (which
// opens one) so that the modules connection.ts itself uses can name it without a circle.
import type Database from 'better-sqlite3';

/** An open loregraph database. Only db/ modules look inside. */
export interface Db {
  readonly path: string;
  readonly readonly: boolean;
  /** @internal for db/ modules only */
  readonly sql: Database.Database;
}
