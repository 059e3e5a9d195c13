// `loregraph races [--json] [--file F] [--function FN] [--lock L] [--outcome O] [--status S]`
import { closeDb, openDb } from '../../db/connection.ts';
import { listRaces, type RaceFilters } from '../../db/knowledge.ts';
import { LoregraphError } from '../../domain/errors.ts';
import { OUTCOMES, type Outcome, type RaceStatus } from '../../domain/knowledge/types.ts';
import { DEFAULT_DB, parseCommandArgs, printJson, type Command } from '../command.ts';
import { formatRaceTable } from '../race-format.ts';

const STATUSES: readonly RaceStatus[] = ['confirmed', 'refuted', 'open'];

export const command: Command = {
  help: `usage: loregraph races [--db FILE] [--json] [--file F] [--function FN] [--lock L] [--outcome O] [--status S]
  The races read out of the mail, newest activity first: id, outcome, confidence, status,
  number of proposed fixes, title, and the evidence message-ids.
  --outcome   one of ${OUTCOMES.join(', ')}
  --status    one of ${STATUSES.join(', ')}`,
  async run(argv, io) {
    const { values } = parseCommandArgs(
      argv,
      {
        db: { type: 'string' },
        json: { type: 'boolean' },
        file: { type: 'string' },
        function: { type: 'string' },
        lock: { type: 'string' },
        outcome: { type: 'string' },
        status: { type: 'string' },
      },
      false,
    );
    if (values.outcome !== undefined && !(OUTCOMES as readonly string[]).includes(values.outcome)) {
      throw new LoregraphError('USAGE', `unknown outcome '${values.outcome}' (known: ${OUTCOMES.join(', ')})`);
    }
    if (values.status !== undefined && !(STATUSES as readonly string[]).includes(values.status)) {
      throw new LoregraphError('USAGE', `unknown status '${values.status}' (known: ${STATUSES.join(', ')})`);
    }
    const filters: RaceFilters = {
      ...(values.file !== undefined ? { file: values.file } : {}),
      ...(values.function !== undefined ? { function: values.function } : {}),
      ...(values.lock !== undefined ? { lock: values.lock } : {}),
      ...(values.outcome !== undefined ? { outcome: values.outcome as Outcome } : {}),
      ...(values.status !== undefined ? { status: values.status as RaceStatus } : {}),
    };
    const db = openDb(values.db ?? DEFAULT_DB, { readonly: true });
    try {
      const { total, races } = listRaces(db, filters);
      if (values.json) printJson(io, { total, races });
      else io.out(formatRaceTable(total, races));
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
