// `loregraph serve`: the HTTP API on a read-only handle to the database.
import { LoregraphError } from '../../domain/errors.ts';
import { DEFAULT_DB, parseCommandArgs, type CliIO, type Command } from '../command.ts';
import { normalizeBaseUrl } from '../../server/base-url.ts';

export const DEFAULT_PORT = 8080;

export const command: Command = {
  help: `usage: loregraph serve [--db FILE] [--port N] [--host ADDR] [--seed] [--log] [--search-workers N] [--base-url URL]
  --db FILE    database to serve (default ${DEFAULT_DB}), opened read-only
  --port N     TCP port (default ${DEFAULT_PORT}; 0 picks a free one)
  --host ADDR  address to bind (default 127.0.0.1)
  --seed       ingest the embedded sample archive first if the database is empty
  --log        log each request to stdout
  --search-workers N  processes running searches, feeds and thread downloads, each with a
               deadline and a bounded queue (default: cores - 1, 1 to 4; 0: the request thread, for tests)
  --base-url URL  public root URL for the Atom feed's links (default: the address served;
               never the client's Host header)`,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        db: { type: 'string', default: DEFAULT_DB },
        port: { type: 'string', default: String(DEFAULT_PORT) },
        host: { type: 'string', default: '127.0.0.1' },
        seed: { type: 'boolean', default: false },
        log: { type: 'boolean', default: false },
        'search-workers': { type: 'string' },
        'base-url': { type: 'string' },
      },
      false,
    );
    void positionals;
    const port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) throw new LoregraphError('USAGE', `--port must be 0..65535, got '${values.port}'`);
    const workers = values['search-workers'];
    if (workers !== undefined && !/^(?:[0-9]|1[0-6])$/.test(workers)) throw new LoregraphError('USAGE', `--search-workers must be 0..16, got '${workers}'`);
    const baseUrl = values['base-url'] === undefined ? undefined : normalizeBaseUrl(values['base-url']);
    const { startServer } = await import('../../server/main.ts');
    const server = await startServer({
      dbPath: values.db,
      port,
      host: values.host,
      seed: values.seed,
      logger: values.log,
      ...(workers !== undefined ? { searchWorkers: Number(workers) } : {}),
      ...(baseUrl !== undefined ? { baseUrl } : {}),
    });
    io.out(`loregraph serving ${values.db} at ${server.url}  (API: ${server.url}api/openapi.json)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
