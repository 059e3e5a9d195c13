// The knowledge graph's values: what one message says about a race (MessageKnowledge,
// computed on the parse worker), and the race records a thread pass assembles from a
// thread's messages (RaceRecord with its fixes and stances). Every fact carries the
// Evidence it came from: the message, the block of its reply structure, and the
// sentence or diff line, so a reviewer can check it in one click. Structured-cloneable.

/** Where a fact was read: a message, a block of its reply structure, the words. */
export interface Evidence {
  messageId: string;
  /** Index into the message's ReplyStructure.blocks, or null for the subject line. */
  block: number | null;
  /** Where the words start in the block's text, when known (orders two facts of one block). */
  at?: number;
  /** The sentence, diff line or subject that gave the fact (trimmed, at most ~300 chars). */
  text: string;
}

export const OUTCOMES = [
  'data-loss',
  'deadlock',
  'crash',
  'corruption',
  'use-after-free',
  'stale-result',
  'benign-data-race',
  'other',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** One reason for (or against) reading a message or thread as a race, with its weight. */
export interface Reason {
  /** e.g. 'race-word', 'interleaving-diagram', 'lockdep-splat', 'kcsan', 'syzbot', 'trap:trace', 'fix-subject' */
  kind: string;
  weight: number;
  evidence: Evidence;
  /** Set when the words are quoted: whom they quote ('' when no attribution named them). */
  quotedFrom?: string;
}

/** An interleaving diagram (CPU0/CPU1, Thread A/Thread B) read into ordered steps per column. */
export interface Interleaving {
  evidence: Evidence;
  /** Column headings as written ("CPU0", "Thread A", "khugepaged"). */
  columns: string[];
  /** Steps in the order the diagram gives them (top to bottom). */
  steps: { column: number; text: string; functions: string[] }[];
}

export type FixKind = 'patch' | 'inline-diff' | 'attachment' | 'prose';

/** A fix as one message proposes it (before the thread pass ties versions together). */
export interface FixProposal {
  kind: FixKind;
  /** Who proposed it: the sender, or the quoted author when the proposal is quoted. */
  author: string | null;
  /** The proposal's own words (subject for a patch, the sentence for prose, the file name for an attachment). */
  summary: string;
  functions: string[];
  files: string[];
  wip: boolean;
  /** For a patch: its title normalised (versions share it) and its version. */
  titleKey?: string;
  version?: number;
  /** For a patch read from the quotes of a review (the patch mail itself not held): the review's id. */
  quotedIn?: string;
  evidence: Evidence;
}

export const STANCES = ['objection', 'agreement', 'question', 'reviewed', 'acked', 'tested', 'nacked', 'changes-requested'] as const;
export type StanceKind = (typeof STANCES)[number];

/** A reaction in one message's own text, with the quoted paragraph it answers. */
export interface StanceSignal {
  stance: StanceKind;
  author: string | null;
  evidence: Evidence;
  /** The quoted block this own paragraph answers (its author and first words), when there is one. */
  answers: { block: number; author: string | null; text: string } | null;
  /** Set when the stance is quoted from someone else's mail: whom it quotes. */
  quotedFrom?: string;
}

/** Everything one message says on its own; stored per message by the ingest analyzer. */
export interface MessageKnowledge {
  /** Signed sum of the reasons' weights: > 0 leans race. */
  score: number;
  reasons: Reason[];
  functions: string[];
  files: string[];
  locks: string[];
  outcome: { outcome: Outcome; evidence: Evidence } | null;
  versions: string[];
  configs: string[];
  diagram: Interleaving | null;
  fixes: FixProposal[];
  stances: StanceSignal[];
  /** A maintainer's "Applied, thanks" / "queued" in the message's own text. */
  applied: Evidence | null;
}

export type FixLifecycle =
  | 'proposed'
  | 'under-review'
  | 'objected'
  | 'changes-requested'
  | 'reviewed'
  | 'applied'
  | 'superseded'
  | 'merged';

export interface Stance {
  stance: StanceKind;
  author: string | null;
  messageId: string;
  evidence: Evidence;
  /** How it was aimed at its fix: 'quoted' (the paragraph it answers quotes the fix), 'reply' (a reply to the fix's message), 'trailer'. */
  aimedBy: 'quoted' | 'reply' | 'trailer';
}

export interface Fix {
  /** Stable id: `${messageId}#${n}` (n-th proposal of that message). */
  id: string;
  kind: FixKind;
  author: string | null;
  messageId: string;
  date: number | null;
  summary: string;
  functions: string[];
  files: string[];
  wip: boolean;
  /** Patch version when the fix is a [PATCH vN]. */
  version: number | null;
  lifecycle: FixLifecycle;
  /** Why the lifecycle is what it is (the deciding mail). */
  lifecycleEvidence: Evidence | null;
  supersededBy: string | null;
  stances: Stance[];
  evidence: Evidence;
  /** The same patch mailed again for stable branches (AUTOSEL, review series), by Message-ID; absent on records from before. */
  copies?: string[];
}

export type RaceStatus = 'confirmed' | 'refuted' | 'open';

export interface RaceRecord {
  /** Stable id derived from the family's first message. */
  id: string;
  title: string;
  outcome: Outcome;
  outcomeEvidence: Evidence | null;
  status: RaceStatus;
  statusEvidence: Evidence | null;
  /** 0..1, with the reasons that gave it. */
  confidence: number;
  reasons: Reason[];
  functions: string[];
  files: string[];
  locks: string[];
  versions: string[];
  configs: string[];
  diagram: Interleaving | null;
  /** Thread roots of the family, first the one that reported it. */
  threads: string[];
  /** Every message of the family, oldest first: of a stable review series or AUTOSEL bundle, only the patch it copies and the replies below it. */
  messages: string[];
  /** Message-ids whose reasons made it a race, oldest first. */
  evidence: string[];
  fixes: Fix[];
  firstDate: number | null;
  lastDate: number | null;
}

/** One message as the thread pass sees it: header facts, what the patch analysis found, and its knowledge. */
export interface ThreadMessageInput {
  messageId: string;
  subject: string;
  /** Sender's name, else address. */
  from: string | null;
  fromAddress: string | null;
  date: number | null;
  /** The parent inside the thread (null for the root or a reply to a missing message). */
  parent: string | null;
  patch: {
    kind: 'patch' | 'cover' | 'reply' | 'other';
    version: number | null;
    /** The subject without tags, normalised: versions of one patch share it. */
    titleKey: string;
    /** The series (by db id) this patch belongs to, when grouped. */
    seriesId: number | null;
    /** A stable-process mail (AUTOSEL, review series, FAILED...). */
    stable: boolean;
  } | null;
  /** Follow-up trailers in the message's own text (Reviewed-by, Acked-by, Tested-by, Nacked-by, Link, Closes, Reported-by). */
  trailers: { name: string; value: string }[];
  /** Null when the message said nothing the knowledge layer keeps (no concurrency words, no fix, no stance). */
  knowledge: MessageKnowledge | null;
}

export interface ThreadInput {
  /** The thread's root Message-ID (a ghost's id when the root is missing). */
  root: string;
  /** Oldest first. */
  messages: ThreadMessageInput[];
}
