// The loregraph command line: `loregraph <command> [args]`. Each command lives in
// cli/commands/<name>.ts and exports a `command: Command`; they are loaded on demand
// so a quick `loregraph stats` does not pay for the simulator or the server.
import { isLoregraphError, LoregraphError } from '../domain/errors.ts';
import type { Command, CliIO } from './command.ts';

const COMMANDS = ['ingest', 'stats', 'thread', 'export', 'serve', 'sim', 'series', 'fix-status', 'stable', 'stable-sync', 'reindex', 'compact', 'am', 'diff', 'dig', 'search', 'watch', 'races', 'race', 'fix', 'knowledge'] as const;

function usage(): string {
  return `usage: loregraph <command> [args]\ncommands: ${COMMANDS.join(', ')}\nrun 'loregraph <command> --help' for a command's options`;
}

async function load(name: string): Promise<Command | undefined> {
  if (!(COMMANDS as readonly string[]).includes(name)) return undefined;
  const mod = (await import(`./commands/${name}.ts`)) as { command: Command };
  return mod.command;
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  try {
    const cmd = await load(name);
    if (!cmd) throw new LoregraphError('USAGE', `unknown command '${name}' (try: ${COMMANDS.join(', ')})`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(cmd.help + '\n');
      return 0;
    }
    return await cmd.run(rest, io);
  } catch (e) {
    if (isLoregraphError(e)) {
      io.err(`loregraph: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) {
      io.err(`loregraph: ${e.message}\n`);
      return 2;
    }
    io.err(`loregraph: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

export function processIO(): CliIO {
  // `loregraph search ... | head`: a reader that stops early is not a failure
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  return {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    writeBytes: (b) => void process.stdout.write(b),
    isTTY: Boolean(process.stderr.isTTY),
    ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
  };
}
