// How the dfn column of search_fts indexes a file path, so that `dfn:mm/filemap.c` is one
// index term. unicode61 splits mm/filemap.c into mm, filemap and c: as a phrase those are
// three of the longest doclists of a patch archive, and a phrase runs on from one path
// into the next. So besides the path itself the column holds each contiguous run of two
// or more of one path's words joined by PATH_JOIN (mm filemap, mm filemap c, filemap c).
// PATH_JOIN is a private-use character: unicode61 counts those as word characters, so a
// run is one token, and as no real path or word holds one, a run never equals an
// identifier such as mm_filemap that the other columns hold. Shared by ingest (what the
// column holds) and the query compiler (what `dfn:` asks for).

export const PATH_JOIN = '\uE000';

/** Runs of at most this many words are indexed; a longer `dfn:` query falls back to a phrase. */
export const MAX_RUN_WORDS = 16;

// unicode61's word characters (letters, digits, private use) plus the tokenchars '_'.
// Case and accents need no folding here: FTS5 folds the joined term on both sides.
const WORD = /[\p{L}\p{N}\p{Co}_]+/gu;

export function pathWords(path: string): string[] {
  return path.match(WORD) ?? [];
}

/** The joined runs of two or more of a path's words, as the dfn column indexes them. */
export function pathRuns(path: string): string[] {
  const words = pathWords(path);
  const runs: string[] = [];
  for (let i = 0; i < words.length; i++) {
    let run = words[i] as string;
    for (let j = i + 1; j < words.length && j - i < MAX_RUN_WORDS; j++) {
      run += PATH_JOIN + (words[j] as string);
      runs.push(run);
    }
  }
  return runs;
}

/** The dfn column for a message's file names: each path, then its runs. */
export function dfnColumn(paths: readonly string[]): string {
  return paths.map((p) => [p, ...pathRuns(p)].join(' ')).join('\n');
}

/**
 * What `dfn:` looks up for the text the user typed: the one joined term when it has two
 * to MAX_RUN_WORDS words, else the text itself (one word, or a phrase of too many).
 */
export function dfnQueryText(text: string): string {
  const words = pathWords(text);
  return words.length >= 2 && words.length <= MAX_RUN_WORDS ? words.join(PATH_JOIN) : text;
}
