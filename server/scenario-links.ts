// A proposed fix (read out of the mail) and the simulator scenarios about it, two ways,
// each labelled as what it is:
//  - explicit: a scenario variant names the fix (its Message-ID, its patch subject, its
//    attachment's file name, or its author together with every function it names); the
//    link carries that variant's expected verdicts per config from the scenario file;
//  - coverage: the fix touches or names a function a scenario step models (`fn:`), and no
//    variant models the fix: "covers collapse_file(), not checked". A fix with a diff
//    touches the files it changes: a function of another file is only called from it (an
//    f2fs fix calling __filemap_get_folio() covers nothing of the page cache's scenarios).
// scenarioLinks is pure over scenario summaries (ScenarioDetail values); fixScenarioLinks
// reads them from the store.
import { isSynchronisationCall } from '../domain/knowledge/scenario-draft.ts';
import type { Fix } from '../domain/knowledge/types.ts';
import { fixMessageIds, fixSubjects, subjectKey } from './routes/links.ts';
import { scenarioDetail, type ScenarioDetail } from './scenario-json.ts';
import type { ScenarioStore } from './scenario-store.ts';
import { schemaCovers } from './schema-covers.ts';

export type ScenarioLinkMatch = 'message-id' | 'subject' | 'attachment' | 'author+functions';

export interface ScenarioLinkVerdict {
  config: string;
  /** The verdict the scenario file expects for the fix's variant in this config. */
  verdict: string;
  property: string;
  why: string;
  /** What the file expects of the code without the fix in the same config ('' when it says nothing). */
  original: string;
}

export interface ScenarioLink {
  kind: 'explicit' | 'coverage';
  scenario: string;
  title: string;
  /** The variant that models the fix (explicit), null for coverage. */
  variant: string | null;
  /** How the variant's `fix:` names the fix (explicit), null for coverage. */
  match: ScenarioLinkMatch | null;
  /** The variant's `fix:` text as the scenario file has it ('' for coverage). */
  fixText: string;
  /** The scenario's kernel locations (`file:function`) whose function the fix touches or names. */
  covers: string[];
  /** Expected verdicts per config (explicit; empty for coverage, which nothing checked). */
  verdicts: ScenarioLinkVerdict[];
  /** The link in words, as the CLI prints it. */
  label: string;
}

/** The parts of a scenario summary the links read; server/scenario-json.ts's ScenarioDetail has them. */
export type LinkableScenario = Pick<ScenarioDetail, 'id' | 'title' | 'variants' | 'expect' | 'kernelRefs'>;

/** Shorter subjects and file names ("fix", "a.patch") would match unrelated variants. */
const MIN_SUBJECT_CHARS = 12;
const MIN_ATTACHMENT_CHARS = 8;

const RANK: Record<ScenarioLinkMatch, number> = { 'message-id': 0, subject: 1, attachment: 2, 'author+functions': 3 };

function bareMessageId(mid: string): string {
  return mid.trim().replace(/^<|>$/g, '');
}

/** "collapse_file()", "mm/khugepaged.c:collapse_file" -> collapse_file */
function bareFunction(f: string): string {
  return (f.trim().replace(/\(\)$/, '').split(':').pop() ?? '').trim();
}

/**
 * The functions a fix touches or names that say which code it changes: lock helpers,
 * barriers and atomics it calls are left out, or every fix calling folio_lock() would
 * "cover" every scenario that takes a folio lock.
 */
function fixFunctions(fix: Fix): string[] {
  return [...new Set(fix.functions.map(bareFunction).filter((f) => f !== '' && !isSynchronisationCall(f)))];
}

/** A subject compared without its [PATCH vN m/n]-style tags: the fix's summary has none, a variant's text may. */
function untagged(key: string): string {
  let t = key.trim();
  for (let prev = ''; prev !== t; ) {
    prev = t;
    t = t.replace(/^\[[^\]]*\]\s*/, '');
  }
  return t;
}

function mentions(text: string, word: string): boolean {
  const esc = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|[^A-Za-z0-9_])${esc}(?:$|[^A-Za-z0-9_])`, 'i').test(text);
}

/** How a variant's fix text names this fix, or null when it does not. */
export function variantNamesFix(fixText: string, fix: Fix): ScenarioLinkMatch | null {
  if (fixText.trim() === '') return null;
  if (fixMessageIds(fixText).includes(bareMessageId(fix.messageId))) return 'message-id';
  if (fix.kind === 'patch') {
    const key = untagged(subjectKey(fix.summary));
    if (key.length >= MIN_SUBJECT_CHARS && fixSubjects(fixText).some((s) => untagged(s) === key)) return 'subject';
  }
  if (fix.kind === 'attachment') {
    const name = fix.summary.trim();
    if (name.length >= MIN_ATTACHMENT_CHARS && !/\s/.test(name) && mentions(fixText, name)) return 'attachment';
  }
  // A prose idea has no id of its own in a shared reply: "(Pedro Falcato: filemap_write_and_wait()
  // after the nr_thps increment in collapse_file())" names it by its author and what it does.
  const fns = fixFunctions(fix);
  const author = fix.author?.trim() ?? '';
  if (author.length >= 3 && fns.length > 0 && mentions(fixText, author) && fns.every((f) => mentions(fixText, f))) return 'author+functions';
  return null;
}

/** "a/mm/filemap.c", "./mm/filemap.c" -> "mm/filemap.c" */
function repoPath(p: string): string {
  return p.trim().replace(/^(?:[ab]\/|\.\/)/, '');
}

function fnList(refs: readonly string[]): string {
  return [...new Set(refs.map(bareFunction))].map((f) => `${f}()`).join(', ');
}

/** The scenario links of a fix: explicit ones (best match first), then coverage by how much of the fix a scenario models. */
export function scenarioLinks(fix: Fix, scenarios: readonly LinkableScenario[]): ScenarioLink[] {
  const fns = new Set(fixFunctions(fix));
  const files = new Set(fix.files.map(repoPath));
  const touches = (ref: string): boolean => {
    if (!fns.has(bareFunction(ref))) return false;
    const file = ref.slice(0, Math.max(0, ref.lastIndexOf(':')));
    // prose names functions without files; a draft's step may not know its file yet
    return files.size === 0 || file === '' || file === 'TODO' || files.has(repoPath(file));
  };
  const explicit: ScenarioLink[] = [];
  const coverage: ScenarioLink[] = [];
  for (const sc of scenarios) {
    const covers = sc.kernelRefs.filter(touches);
    let linked = false;
    for (const v of sc.variants) {
      if (v.name === 'original') continue;
      const match = variantNamesFix(v.fix, fix);
      if (!match) continue;
      linked = true;
      const verdicts = sc.expect
        .filter((e) => e.variant === v.name)
        .map((e) => ({
          config: e.config,
          verdict: e.verdict,
          property: e.property,
          why: e.why,
          original: sc.expect.find((o) => o.variant === 'original' && o.config === e.config)?.verdict ?? '',
        }));
      const said = verdicts.length === 0
        ? 'no expected verdicts yet'
        : `expected ${verdicts.map((x) => `${x.verdict} in ${x.config}${x.original ? ` (original: ${x.original})` : ''}`).join('; ')}`;
      explicit.push({
        kind: 'explicit',
        scenario: sc.id,
        title: sc.title,
        variant: v.name,
        match,
        fixText: v.fix,
        covers,
        verdicts,
        label: `modelled by ${sc.id} variant ${v.name} (named by ${match}): ${said}`,
      });
    }
    if (!linked && covers.length > 0) {
      coverage.push({
        kind: 'coverage',
        scenario: sc.id,
        title: sc.title,
        variant: null,
        match: null,
        fixText: '',
        covers,
        verdicts: [],
        label: `${sc.id} covers ${fnList(covers)}, not checked`,
      });
    }
  }
  explicit.sort((a, b) => RANK[a.match!] - RANK[b.match!]);
  coverage.sort((a, b) => new Set(b.covers.map(bareFunction)).size - new Set(a.covers.map(bareFunction)).size || a.scenario.localeCompare(b.scenario));
  return [...explicit, ...coverage];
}

/** The scenarios in the store a fix can link to (files that do not load are left out): read once per answer, not once per fix. */
export async function linkableScenarios(store: ScenarioStore): Promise<LinkableScenario[]> {
  return (await store.list()).flatMap((e) => (e.scenario ? [scenarioDetail(e.scenario)] : []));
}

/** The links of one fix to the scenarios in the store. */
export async function fixScenarioLinks(fix: Fix, store: ScenarioStore): Promise<ScenarioLink[]> {
  return scenarioLinks(fix, await linkableScenarios(store));
}

const str = { type: 'string' } as const;

export const scenarioLinkSchema = {
  type: 'object',
  required: ['kind', 'scenario', 'title', 'variant', 'match', 'fixText', 'covers', 'verdicts', 'label'],
  properties: {
    kind: { type: 'string', enum: ['explicit', 'coverage'], description: "explicit: a variant names the fix; coverage: the fix's functions are modelled, the fix is not" },
    scenario: str,
    title: str,
    variant: { type: ['string', 'null'] },
    match: { type: ['string', 'null'], enum: ['message-id', 'subject', 'attachment', 'author+functions', null] },
    fixText: str,
    covers: { type: 'array', items: str, description: 'the scenario kernel locations (file:function) whose function the fix touches or names' },
    verdicts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['config', 'verdict', 'property', 'why', 'original'],
        properties: { config: str, verdict: str, property: str, why: str, original: str },
      },
    },
    label: str,
  },
} as const;

schemaCovers<typeof scenarioLinkSchema, ScenarioLink>(true);
