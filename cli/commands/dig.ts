// `loregraph dig <commit> --git-dir DIR [--json]`: from a commit in the user's tree to its
// discussion, as b4 dig does: the commit's patch-id (git patch-id --stable) finds the patch
// mail, else its title and author do; then the series and its versions, the review thread
// (who replied, what trailers they gave) and the fix's status on the stable branches.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { closeDb, openDb, type Db } from '../../db/connection.ts';
import { patchMailsByPatchId, patchMailsByTitle, type PatchMailHit } from '../../db/patch-lookup.ts';
import { getSeries, type SeriesView } from '../../db/series.ts';
import { racesOfMessage, type RaceSummary } from '../../db/knowledge.ts';
import { getFixStatus } from '../../db/stable.ts';
import { getThreadTree, type ThreadTreeNode } from '../../db/threads.ts';
import { isLoregraphError, LoregraphError } from '../../domain/errors.ts';
import { parseSubject, subjectKey } from '../../domain/patch/subject.ts';
import { DEFAULT_DB, parseCommandArgs, printJson, type Command } from '../command.ts';
import { clean } from '../race-format.ts';

export interface CommitFacts {
  sha: string;
  subject: string;
  authorName: string;
  authorEmail: string;
  patchId: string | null;
}

/** `silently`: what a failure means when git says nothing (rev-parse --quiet). */
function git(dir: string, args: string[], input?: string, silently?: string): string {
  // a work tree's repository is its .git
  const gitDir = existsSync(join(dir, '.git')) ? join(dir, '.git') : dir;
  try {
    return execFileSync('git', ['--git-dir', gitDir, ...args], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const stderr = e && typeof e === 'object' && 'stderr' in e ? String((e as { stderr: unknown }).stderr).trim() : '';
    throw new LoregraphError('BAD_INPUT', `git ${args[0]} in ${gitDir}: ${stderr || silently || (e instanceof Error ? e.message : String(e))}`);
  }
}

/** The commit's title, author and patch-id, from git itself. */
function commitFacts(gitDir: string, rev: string): CommitFacts {
  if (!/^[\w./~^@{}-]+$/.test(rev) || rev.startsWith('-')) throw new LoregraphError('USAGE', `'${rev}' is not a commit name`);
  const sha = git(gitDir, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], undefined, `no commit named '${rev}'`).trim();
  const [authorName = '', authorEmail = '', subject = ''] = git(gitDir, ['show', '-s', '--format=%an%x00%ae%x00%s', sha]).replace(/\n$/, '').split('\0');
  const diff = git(gitDir, ['show', '--format=', '--patch', '--no-color', '--no-ext-diff', sha]);
  const pid = diff.trim() ? git(gitDir, ['patch-id', '--stable'], diff).trim().split(/\s+/)[0] : undefined;
  return { sha, subject, authorName, authorEmail, patchId: pid || null };
}

export interface Reply {
  messageId: string;
  from: string;
  date: string | null;
  depth: number;
  /** The patch mail the thread answers. */
  answers?: string;
}

export interface DigResult {
  commit: CommitFacts;
  /** How the patch mail was found. */
  how: 'patch-id' | 'subject+author' | 'subject' | null;
  patches: PatchMailHit[];
  series: SeriesView | null;
  review: { trailers: { trailer: string; givenIn: string; stance: string }[]; replies: Reply[] } | null;
  stable: ReturnType<typeof getFixStatus> | null;
  /** The races whose families hold one of the patch mails: what the commit fixes. */
  races: RaceSummary[];
}

// What a trailer says of the reviewer's stance.
function stanceOf(name: string): string {
  const n = name.toLowerCase();
  if (n === 'reviewed-by') return 'reviewed';
  if (n === 'acked-by') return 'acked';
  if (n === 'tested-by') return 'tested';
  if (n === 'nacked-by' || n === 'nak') return 'nacked';
  return 'noted';
}

function replies(node: ThreadTreeNode | null, depth = 0, out: Reply[] = []): Reply[] {
  for (const c of node?.children ?? []) {
    if (!c.ghost) out.push({ messageId: c.messageId, from: c.from ? (c.from.name ? `${c.from.name} <${c.from.address}>` : c.from.address) : '', date: c.date, depth: depth + 1 });
    replies(c, depth + 1, out);
  }
  return out;
}

export function dig(db: Db, c: CommitFacts): DigResult {
  let how: DigResult['how'] = null;
  let patches: PatchMailHit[] = c.patchId ? patchMailsByPatchId(db, c.patchId) : [];
  if (patches.length > 0) how = 'patch-id';
  else {
    const key = subjectKey(parseSubject(c.subject));
    patches = patchMailsByTitle(db, key, c.authorEmail);
    if (patches.length > 0) how = 'subject+author';
    else {
      patches = patchMailsByTitle(db, key, null);
      if (patches.length > 0) how = 'subject';
    }
  }
  // the submission (not a stable backport), newest version: what was applied
  const mainline = patches.filter((p) => p.lane === '');
  const primary = mainline[mainline.length - 1] ?? patches[patches.length - 1];
  let series: SeriesView | null = null;
  let review: DigResult['review'] = null;
  if (primary) {
    try {
      series = getSeries(db, primary.messageId);
    } catch (e) {
      if (!isLoregraphError(e) || e.code !== 'NOT_FOUND') throw e;
    }
    // the review of every version of this patch: an unchanged patch keeps what it was given
    const trailers: NonNullable<DigResult['review']>['trailers'] = [];
    const answered: Reply[] = [];
    for (const hit of patches) {
      const own = series?.versions.flatMap((v) => v.patches).find((p) => p.messageId === hit.messageId);
      for (const t of own?.trailers ?? []) {
        if (t.followup) trailers.push({ trailer: `${t.name}: ${t.value}`, givenIn: t.givenIn, stance: stanceOf(t.name) });
      }
      answered.push(...replies(findNode(getThreadTree(db, hit.messageId), hit.messageId)).map((r) => ({ ...r, answers: hit.messageId })));
    }
    review = { trailers, replies: answered };
  }
  let stable: DigResult['stable'] = null;
  try {
    stable = getFixStatus(db, c.sha);
  } catch (e) {
    if (!isLoregraphError(e) || e.code !== 'NOT_FOUND') throw e;
  }
  const races = new Map<string, RaceSummary>();
  for (const hit of patches) for (const r of racesOfMessage(db, hit.messageId)) races.set(r.id, r);
  return { commit: c, how, patches, series, review, stable, races: [...races.values()] };
}

function findNode(n: ThreadTreeNode | null, id: string): ThreadTreeNode | null {
  if (!n) return null;
  if (n.messageId === id) return n;
  for (const c of n.children) {
    const hit = findNode(c, id);
    if (hit) return hit;
  }
  return null;
}

function formatDig(r: DigResult): string {
  const c = r.commit;
  const out = [`commit ${c.sha}`, `  ${clean(c.subject)}`, `  author ${clean(c.authorName)} <${clean(c.authorEmail)}>`, `  patch-id ${c.patchId ?? '(no diff)'}`];
  if (!r.how) {
    out.push('no patch mail found by patch-id, nor by subject (the store may not hold the list it was sent to)');
  } else {
    out.push(`found by ${r.how}: ${r.patches.length} patch mail(s)`);
    for (const p of r.patches) out.push(`  <${p.messageId}> ${p.date ? new Date(p.date).toISOString().slice(0, 10) : 'undated'} ${clean(p.subject)}${p.lane ? ` [${p.lane}]` : ''}`);
  }
  if (r.series) {
    out.push(`series: ${clean(r.series.title)}`);
    for (const v of r.series.versions) out.push(`  v${v.version} ${v.date?.slice(0, 10) ?? 'undated'} ${v.patches.length} patch(es)${v.coverMessageId ? ` cover <${v.coverMessageId}>` : ''}${v.superseded ? '' : ' (latest)'}`);
  }
  if (r.review) {
    out.push(`review: ${r.review.replies.length} repl${r.review.replies.length === 1 ? 'y' : 'ies'}`);
    for (const t of r.review.trailers) out.push(`  ${t.stance}: ${clean(t.trailer)} <${t.givenIn}>`);
    for (const x of r.review.replies) out.push(`  ${'  '.repeat(x.depth - 1)}${clean(x.from)} ${x.date?.slice(0, 10) ?? ''} <${x.messageId}> on <${x.answers ?? ''}>`);
  }
  if (r.stable) {
    out.push('stable:');
    for (const [branch, s] of Object.entries(r.stable.branches)) out.push(`  ${branch}: ${JSON.stringify(s)}`);
  } else out.push('stable: no stable history for this commit');
  for (const race of r.races) out.push(`race ${race.id}: ${clean(race.title)} (${race.outcome}, ${race.status}); loregraph race ${race.id}`);
  return out.join('\n') + '\n';
}

export const command: Command = {
  help: `usage: loregraph dig <commit> --git-dir DIR [--db FILE] [--json]
  From a commit in your tree to its discussion: the patch mail (by git patch-id --stable,
  else by subject and author), its series and versions, the review thread with the
  trailers reviewers gave, and the fix's status on each stable branch.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { db: { type: 'string' }, 'git-dir': { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new LoregraphError('USAGE', 'dig needs exactly one commit');
    if (!values['git-dir']) throw new LoregraphError('USAGE', 'dig needs --git-dir DIR (the repository holding the commit)');
    const facts = commitFacts(values['git-dir'], positionals[0] as string);
    const db = openDb(values.db ?? DEFAULT_DB, { readonly: true });
    try {
      const r = dig(db, facts);
      if (values.json) printJson(io, r);
      else io.out(formatDig(r));
      return r.how ? 0 : 1;
    } finally {
      closeDb(db);
    }
  },
};
