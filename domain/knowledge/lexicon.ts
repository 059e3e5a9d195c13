// The words the knowledge layer reads: what names a lock, what marks an outcome, what
// separates a race from its false friends. Kept in one place so the rules read as a list
// a kernel developer can check, and so the labelled bench can point at the one to change.
import type { Outcome } from './types.ts';

/** Canonical lock or primitive name <- the spellings that name it. */
export const LOCKS: [string, RegExp][] = [
  ['folio lock', /\b(?:folio_lock|folio_trylock|folio_unlock|lock_page|unlock_page|trylock_page|PG_locked|(?:folio|page) lock)\b/i],
  ['i_rwsem', /\b(?:inode_lock(?:_shared)?|inode_unlock(?:_shared)?|i_rwsem|i_mutex)\b/],
  ['mmap_lock', /\b(?:mmap_lock|mmap_sem|mmap_(?:read|write)_(?:un)?lock)\b/],
  ['invalidate_lock', /\b(?:(?:filemap_)?invalidate_lock(?:_shared)?|invalidate_unlock)\b/],
  ['i_mmap_rwsem', /\b(?:i_mmap_rwsem|i_mmap_lock_(?:read|write)|i_mmap_unlock_(?:read|write))\b/],
  ['PTL', /\b(?:PTL|ptl|pte_offset_map_lock|pmd_lock|pte_lockptr|page[- ]table lock)\b/],
  ['xa_lock', /\b(?:xa_lock(?:_irq)?|xas_lock(?:_irq)?|xa_unlock(?:_irq)?|i_pages lock)\b/],
  ['RCU', /\b(?:RCU|rcu_read_(?:un)?lock|synchronize_rcu|call_rcu|kfree_rcu)\b/],
  ['memory barrier', /\b(?:smp_mb|smp_wmb|smp_rmb|smp_store_release|smp_load_acquire|smp_mb__(?:before|after)_atomic|memory barriers?)\b/i],
  ['s_umount', /\bs_umount\b/],
  ['i_lock', /\bi_lock\b/],
];

/** A named lock in code or prose: foo_lock, sbi->cp_rwsem, &ci->i_mutex, gc_mutex. */
export const NAMED_LOCK = /\b([a-z][a-z0-9_]*_(?:lock|mutex|rwsem|sem|spinlock|rwlock|seqlock))\b/g;

/** Lock-taking calls whose argument names the lock: spin_lock(&sbi->stat_lock). */
export const LOCK_CALL = /\b(?:spin_lock(?:_irq|_irqsave|_bh)?|mutex_lock|down_(?:read|write)(?:_trylock)?|read_lock|write_lock|f2fs_down_(?:read|write))\(\s*&?\s*(?:[a-z0-9_]+(?:->|\.))*([a-z][a-z0-9_]*)/g;

/** Outcome classes with the words that mark them, strongest first. */
export const OUTCOME_WORDS: [Outcome, RegExp][] = [
  ['deadlock', /\b(?:dead-?locks?(?:ed|ing)?(?![- ](?:checks?|detect(?:ion|or)))|ABBA|AB-BA|double[- ]lock(?:s|ed|ing)?|lock inversion|circular locking dependency|hung task|hung_task|soft lockup|livelock|(?:wait(?:s|ed|ing)?|stuck|blocked|(?:remain|stay)s? locked|hang(?:s|ing)?) (?:forever|indefinitely)|indefinite wait)\b/i],
  ['use-after-free', /\b(?:use-after-free|use after free|UAF|slab-use-after-free)\b/i],
  // "it may missed last data during checkpoint": data a later step no longer accounts for is lost too
  ['data-loss', /\b(?:data[- ]loss|(?:los(?:e|es|ing|t)|miss(?:es|ed|ing)?) (?:the )?(?:last |latest |recent |some )?(?:data|writes?|updates?|dirty (?:data|pages?|folios?))|discard(?:s|ed|ing)? dirty|dirty (?:data|pages?|folios?) (?:is |are |was |were |get |gets )?(?:lost|discarded|dropped))\b/i],
  // what is left wrong on disk or in an image: "data inconsistency", "inconsistent segment type",
  // "inconsistent checkpoint data" (not lockdep's "inconsistent lock state"), "the image is
  // damaged", "an incorrect offset in the output image"
  [
    'corruption',
    /\b(?:corrupt(?:s|ed|ion|ing)?|(?:data|metadata) inconsisten(?:t|cy)|inconsisten(?:t|cy) (?!lock\b)(?:\w+ )?(?:metadata|on-disk|state|segment|checkpoint|image|data|node|nat|sit|summary|bitmap)|fsck (?:reports|complains)|bad (?:inode|block) |(?:is|are|was|were|gets?|got|be(?:comes?)?) damaged\b|damag(?:e|es|ed|ing) (?:the )?(?:\w+ )?(?:image|filesystem|file ?system|metadata|data|inode|superblock|checkpoint)\b|(?:incorrect|wrong|bad) (?:\w+ )?offsets? (?:in|into|on|of) (?:the )?(?:\w+ )?(?:image|disk|file|output)\b)/i,
  ],
  ['crash', /\b(?:BUG_ON|kernel BUG|NULL pointer dereference|null-ptr-deref|Oops(?!\s*[,!]|\.(?:\s|$)|\s+(?:I|I'\w+|my|sorry|you|we|that|this|it)\b)|kernel panic|panics?(?!\.c)|crash(?:es|ed)?|general protection fault|WARN_ON(?:_ONCE)?)\b/i],
  // a reader that misses what was written: "unable to see the changes before reopening the file",
  // a fix that makes sure "to get an up-to-date nr_targets value", a size set back "to an older
  // value" and the short read that follows
  ['stale-result', /\b(?:stale|transient(?:ly)?|out[- ]of[- ]date|to (?:an? |the )?(?:older|previous) values?|short reads?|(?:unable to|cannot|can'?t|fails? to|failed to|doesn'?t|does not|won'?t|never) see (?:the )?(?:latest |new |recent )?(?:changes?|updates?|entries|files?|values?|data)|(?:get|gets|read|reads|use|uses|see|sees|fetch|fetches|return|returns) (?:an? |the )?up[- ]to[- ]date|(?:wrong|incorrect|inconsistent) (?:values?|results?|sizes?|reads?|counts?)|(?:hits?|reads?|sees?|returns?) (?:the )?(?:unwritten|stale|old|uninitiali[sz]ed) data)\b/i],
  ['benign-data-race', /\b(?:benign (?:data[- ])?race|data_race\(|harmless race)\b/i],
];

/** Words that say "race" in a concurrency sense, and how much each counts in own text. */
export const RACE_WORDS: [string, RegExp, number][] = [
  ['race', /\b(?:races?|raced|racing|racy|race[- ]condition)\b(?![- ]free)/i, 2],
  ['data-race', /\bdata[- ]races?\b/i, 3],
  // a deadlock check or detector is code that finds them (fs/locks.c's POSIX deadlock detection), not one
  // a lock taken twice on one path ("Fix a double lock bug": spin_lock(&ses->ses_lock) twice) deadlocks on itself
  ['deadlock', /\b(?:dead-?lock(?:s|ed|ing)?(?![- ](?:checks?|detect(?:ion|or)))|ABBA|AB-BA|double[- ]lock(?:s|ed|ing)?|lock inversion|lock ordering|locking order)\b/i, 2],
  ['concurrent', /\b(?:concurren(?:t|tly|cy)|simultaneous(?:ly)?|at the same time|in parallel with)\b/i, 1],
  ['interleaving', /\b(?:interleav(?:e|es|ed|ing)|TOCTOU|time[- ]of[- ]check)\b/i, 2],
  ['barrier', /\b(?:smp_[rw]?mb|smp_store_release|smp_load_acquire|memory (?:barrier|ordering)|READ_ONCE|WRITE_ONCE)\b/, 1],
  ['use-after-free', /\b(?:use-after-free|use after free|UAF)\b/i, 1],
  // a race drawn between its two sides ("race issues between a foreground thread and GC thread",
  // "may race with write_checkpoint()"): more than the word, less than a diagram
  ['race-sides', /\b(?:races?|racing|race (?:conditions?|issues?|cases?)) between (?:\w+[ -]){0,5}?(?:\w+\(?\)?) and \w|\b(?:may|can|could|will|might) race (?:w\/|with|against) \w/i, 1],
  ['window', /\b(?:race window|(?:a|the|small|tiny|narrow) window (?:between|where|in which)|(?:a|the) hole between)\b/i, 2],
];

/** A bug report's subject: with concurrency words in the thread it reads as a race report. */
export const BUG_REPORT_SUBJECT = /^\s*(?:\[(?:BUG|REPORT|Bug)[^\]]*\]|BUG:|(?:possible )?(?:bug|regression) report\b|\[syzbot\])/i;

/** Reports from the kernel's own concurrency checkers. */
export const CHECKER_REPORTS: [string, RegExp, number][] = [
  ['kcsan', /\bBUG: KCSAN: data-race in\b|\bKCSAN\b.{0,40}\bdata-race\b/, 4],
  ['lockdep-splat', /possible circular locking dependency detected|possible recursive locking detected|inconsistent lock state|possible irq lock inversion dependency|WARNING: possible circular locking/, 3],
  ['hung-task', /\bINFO: task \S+ blocked for more than \d+ seconds|\bhung_task\b/, 2],
  ['syzbot', /\bsyzbot\b|syzkaller/i, 0],
];

/** False friends: each subtracts from a message's score, with why. */
export const TRAPS: [string, RegExp, number][] = [
  ['no-race', /\b(?:no (?:such )?race|not (?:a |really a )?race|(?:isn't|is not|wasn't|not) racy|race[- ]free|can(?:no|')t race|won't race|without (?:the |any )?(?:risk of |possibility of |chance of )?(?:a )?races?|no longer racy|no (?:real )?(?:deadlock|race) (?:here|there|possible)|(?:doesn't|does not|won't|will not|wouldn't|would not|can't|cannot|never) (?:(?:\w+ ){0,4}or )?(?:dead-?lock|livelock|race)s?)\b/i, -2],
  ['false-positive', /\bfalse[- ](?:positive|alarm|report)s?\b/i, -3],
  ['lockdep-annotation', /\b(?:lockdep_set_class|lockdep_set_subclass|lock_class_key|SINGLE_DEPTH_NESTING|mutex_lock_nested|down_(?:read|write)_nested|MAX_LOCKDEP_\w+|lockdep annotation|annotate (?:the )?lock)/, -1],
  ['performance', /\b(?:throughput|scalab(?:le|ility)|IOPS|MB\/s|GB\/s|latency (?:improve|reduc)|speed ?up|parallel(?:ize|izing|ism)|performance (?:improve|regression|gain))/i, -1],
];

/** Subject lines of fixes for a race, and of patches that only annotate. */
export const FIX_SUBJECT = /\b(?:fix(?:es|ing)?|avoid(?:s|ing)?|prevent(?:s|ing)?|close(?:s)?|plug(?:s)?|resolve(?:s)?|address(?:es)?)\b.{0,60}\b(?:races?|racy|race condition|dead-?locks?|ABBA|data-race|double[- ]lock(?:s|ing)?|lock (?:inversion|ordering))\b/i;
export const ANNOTATION_SUBJECT = /\blockdep\b.{0,60}\b(?:annotat|false|silence|splat|class|subclass|nesting|key)|\b(?:annotate|silence|suppress)\b.{0,40}\block|\bfalse (?:alarm|positive)s?\b/i;

/**
 * A feature's subject: work made concurrent on purpose ("fsck.erofs: implement multi-threaded
 * extraction", "Multi-threaded decompression for ..."). Its races and deadlocks are design
 * notes ("preventing data races"), not a bug report; a fix subject overrides it.
 */
export const FEATURE_SUBJECT = /^(?:\[[^\]]*\]\s*)*(?:[\w.-]+(?:\/[\w.-]+)*:\s*)*(?:(?:implement|add|introduce|support|enable|allow)\b.{0,40}\b(?:multi-?thread\w*|concurren(?:t|cy)|parallel\w*|thread pool|multiple threads)|multi-?threaded\s+\w+)/i;

/** Prose that proposes a fix: the idea is in the sentence, the code tokens name what it touches. */
export const IDEA = /\b(?:how about|what about|what if we|why not (?:just )?|i think we (?:want|need|should)|we (?:should|could|can|may need to|might|need to) (?:just |instead |simply |probably )?(?:take|hold|grab|drop|move|call|use|add|check|do|defer|wait|flush|serialize|protect|skip|set|clear|re-?check|keep|make|avoid|convert|switch|lock|unlock)|(?:a )?(?:better|simpler|cleaner|proper|real|correct) fix (?:would be|is|might be)|the (?:right|proper|real) fix (?:is|would be)|other idea|another (?:idea|option|approach)|perhaps (?:doing|we|it|just|calling|taking|moving)|maybe we (?:should|could|can)|i(?:'d| would) (?:suggest|prefer|rather)|i suggest|instead,? (?:we|let's|just)|can we (?:just |instead )?(?:take|hold|move|call|use|add|check|cover|do|defer|wait|flush|serialize|protect|skip|lock)|would it (?:make sense|be better|work) to|the fix (?:is|would be|should be) to|(?:it|this|that) (?:either )?needs? (?:some )?(?:locking|a lock|to (?:take|hold|use|be protected|be serialized))|we (?:also )?need to (?:cover|take|hold|protect|use|check|add|call|move|serialize|wait|flush|keep)|can we (?:check|cover|use|add|keep|make)|the (?:correct|right|proper) way (?:to|is)|we may be able to|we can (?:force|just|simply|instead|use|take|add|move|check|call|keep|defer)|^(?:and )?add (?:a |an )?[A-Za-z_]+\(|i'?m inclined to|(?:it|this) (?:can|could) be (?:solved|fixed|avoided) by|(?:should|must) (?:use|take|hold|grab) (?:the )?[a-z_]+|let'?s (?:use|take|add|move|check|just|keep|force)|needs? to be (?:moved|done|checked|taken|called|protected|serialized) (?:after|before|under|inside|outside|with)|to (?:remove|close|fix|avoid) (?:that|this|the) (?:hole|race|window)|the (?:general )?idea is (?:that|to)|(?:this|which) could be used to (?:solve|fix|avoid)|i would have (?:much )?preferred|i'?d (?:much )?prefer)\b/i;

/** Stances in a reply's own words. Order matters: the first that matches a sentence wins. */
export const STANCE_WORDS: ['nacked' | 'objection' | 'changes-requested' | 'agreement' | 'question', RegExp][] = [
  ['nacked', /^\s*(?:NAK|NACK)\b|\bNack(?:ed)?-by:|\bI (?:have to |must )?NAK\b/],
  [
    'objection',
    new RegExp(
      [
        String.raw`(?:i )?don'?t think (?:this|that|your|the|it) (?:\w+ ){0,3}(?:works?|fix(?:es)?|is (?:right|correct|enough|sufficient|safe)|solves?|helps?|closes?)`,
        String.raw`(?:does not|doesn't|won't|will not|can't|cannot|didn't|did not) (?:\w+ ){0,2}(?:fix|work|help|solve|close|address)\b`,
        String.raw`(?:there is|there's|there are) still (?:a |an |the |some )?(?:\w+ ){0,2}(?:race|window|deadlock|problems?|issues?|bugs?)`,
        String.raw`(?:this|that|it|which) (?:would |will |can |could |may |might )?(?:introduces?|creates?|opens?|causes?) (?:a |an |another |new )?(?:\w+ ){0,2}(?:race|deadlock|lock inversion|regression|window|problem|hang|crash)`,
        // "that can deadlock", "this crashes"; not the noun ("Is this deadlock trying to grab a lock?")
        String.raw`(?:this|that|it) (?:(?:would|will|can|could|may|might) (?:deadlock|hang (?:the )?(?:kernel|system)|crash|panic|leak)\b|(?:deadlocks|hangs (?:the )?(?:kernel|system)|crashes|panics|leaks)\b)`,
        String.raw`(?:will|would|can|could|may|might) (?:still )?race (?:w/|with|against)`,
        String.raw`(?:isn't|is not|not) (?:really )?(?:enough|sufficient)\b`,
        String.raw`\b(?:still racy|still races|still wrong|not the right (?:way|fix|approach)|wrong (?:approach|fix|way)|not (?:a )?(?:correct|proper) fix)`,
        String.raw`(?:doesn'?t|does not) look (?:right|correct)`,
        String.raw`(?:this|that|it) is (?:racy|broken|wrong|incorrect|buggy)`,
        String.raw`the (?:fix|patch) is (?:incorrect|wrong|broken)`,
        String.raw`i'?m not (?:convinced|sure (?:this|that|it) (?:is|works))`,
        String.raw`(?<!\bwithout (?:any )?)(?:problem|issue) with (?:this|that|your)`,
        String.raw`not always (?:an option|set|true|safe|held)`,
        String.raw`(?:will not|won'?t|doesn'?t|does not) work`,
        String.raw`(?:don'?t|didn'?t|do not|did not|can'?t|cannot|couldn'?t) (?:see|understand|get) (?:why|how)`,
        // "I hesitate to apply this patch since ...", "^--- this looks wrong?"
        String.raw`\bi(?: am|'m)? (?:hesitat(?:e|ing)|hesitant|reluctant) to (?:apply|merge|take|accept|queue)`,
        String.raw`(?:this|that|it) (?:looks|seems) (?:\w+ )?(?:wrong|incorrect|broken|buggy|racy)\b`,
        String.raw`not all of them|only (?:partially|partly)|partial(?:ly)? (?:fix|solve)`,
        String.raw`(?:starts? to|began to|begins to) (?:complain|fail|warn)|(?:fails?|failed|breaks?|broke) (?:to )?(?:build|compile|boot|xfstests?|the test)`,
        String.raw`kernel test robot noticed|^(?:error|warning): |\bbuild (?:error|failure|warning)s?\b`,
        String.raw`unclear (?:if|whether|why)`,
        // a compiler's complaint pasted from a build of the patch: "fs/f2fs/data.c:2327:5: error: ..."
        String.raw`\.[chS]:\d+(?::\d+)?: (?:fatal )?(?:error|warning):`,
        // "the check for fsverity_active() is wrong" (but not "nothing is wrong", "what is wrong?")
        String.raw`(?<!\b(?:nothing|what|anything|something|if) |\bmy \w+ )\b(?:is|are) (?:still |also |simply |just )?(?:wrong|incorrect|broken|buggy)\b(?![^.]*\?)`,
        // doubts put as questions: "Is this enough?", "how can we make sure ...?"
        String.raw`^(?:but )?(?:is|are) (?:this|that|it|these) (?:really )?(?:enough|sufficient|safe|correct|right)\b`,
        String.raw`how (?:can|could|do|would) (?:we|you) (?:make sure|ensure|guarantee)`,
        String.raw`instead of (?:abusing|adding|introducing|taking|holding|sprinkling)`,
        String.raw`(?:this|that|it|which) (?:would |will |can |could |may |might )(?:give|lead to|result in|trigger) (?:a |an |the )?(?:\w+ ){0,2}(?:race|deadlock|hang|crash|panic|use-after-free|UAF|corruption)`,
        String.raw`\bmy (?:only |main |one |biggest )?(?:worry|concern) (?:is|here)|\bi'?m (?:a bit |a little |slightly |somewhat )?(?:worried|concerned) (?:that|about)`,
        String.raw`(?:didn'?t|don'?t|couldn'?t|can'?t|could not|cannot) (?:figure out|find|think of|see) (?:a |any )?way to (?:solve|fix|avoid|close|handle|do) (?:this|it|that)`,
        String.raw`(?:didn'?t|did not|doesn'?t|does not|don'?t) (?:consider|handle|cover|take into account) (?:this|that|the) (?:\w+ ){0,2}case`,
        String.raw`^nope\b`,
        // praise words denied: "I don't think supporting lzo is a good idea", "isn't going to be a great idea"
        String.raw`\b(?:not|isn'?t|wasn'?t|never|don'?t think|doesn'?t seem like) (?:\w+ ){0,6}(?:a )?(?:good|great|nice) idea`,
        String.raw`\bnot (?:at all |entirely |really )?(?:clear|obvious) (?:to me )?(?:that|whether|why|how)`,
        // a regression reported against the patch: "This patch is causing the following WARNING"
        String.raw`\b(?:this|the|your) (?:patch|commit|change) (?:is |was )?(?:caus(?:es|ing|ed)|trigger(?:s|ing|ed)|introduc(?:es|ing|ed)) (?:the following|a |an |this |these |new |some )`,
        // the patch is not needed: "This ... were already fixed in an updated version of that patch"
        String.raw`\b(?:is|are|was|were|has been|have been) already (?:fixed|addressed|handled|solved) (?:in|by)\b`,
        // a doubt put as a negative question: "Doesn't freeze_bdev() work for you?", "Won't the data be overwritten?"
        String.raw`^(?:but |so |hmm,? )?(?:doesn'?t|does not|wouldn'?t|won'?t|can'?t|isn'?t|shouldn'?t) [^?]{1,120}\?\s*$`,
        // the reviewer does not see the problem the patch claims: "I didn't catch the root cause", "I don't get the point"
        String.raw`\bi (?:still )?(?:didn'?t|don'?t|did not|do not|can'?t|cannot|couldn'?t) (?:quite )?(?:catch|get|follow|understand) (?:the |your )?(?:point|root cause|reason|race|problem|issue|logic)\b`,
        // another diagnosis than the patch's: "I think the root cause of this issue is ..."
        String.raw`\bi (?:think|believe|guess|suspect) (?:that )?the (?:real |actual )?root cause (?:of (?:this|the) (?:\w+ )?(?:issue|problem|bug|race|hang|deadlock) )?is\b`,
      ].join('|'),
      'i',
    ),
  ],
  ['changes-requested', /\b(?:changes requested|please (?:fix|rework|resend|update|split|rebase|address|improve)|needs? (?:to be )?(?:reworked|a respin|another version)|could you (?:please )?(?:fix|rework|resend|update|split)|improve the (?:commit|changelog|description))\b/i],
  [
    'agreement',
    /\b(?:looks? (?:good|fine|correct|sane|right|reasonable|ok|okay)(?: to me)?|(?:this|that|it|the (?:patch|change|fix)) (?:is|seems|sounds) (?:fine|ok|okay|good)(?: to me)?[.!,]?\s*$|(?:this|that|it|the (?:patch|change|fix)|yours) (?:will|would) be better\b|LGTM|makes (?:a lot of |perfect |more )?sense|(?:good|nice|great) (?:catch|find|idea|fix)|i agree|agreed\b|sounds (?:good|reasonable|right|fine|like a (?:good|great) idea)|fine by me|works for me|I like (?:this|it|the idea)|you'?re right|i (?:believe|think) (?:this|the) patch (?:can|should|will|does) fix|now i see|i see your point|(?:finally|at last),? (?:we |you )?(?:catch|caught|found|nailed|got) (?:this|it|the (?:race|bug|issue|culprit))|(?:i |we )?(?:definitely |fully |strongly )?second (?:his|her|their|your|the|this|that) (?:proposal|suggestion|idea|approach|patch|fix)|i'?ll (?:send|post|spin|respin) (?:a |the )?(?:v\d|new version|next version|updated)|(?:^|\. )(?:yup|yep|yes|yeah|right|sure|okay|ok)[.!,~]?\s*$|^(?:yup|yep|yes|yeah|okay|ok|sure),\s(?!.*\bbut\b))/i,
  ],
  ['question', /[?？]\s*$/],
];

/** What is at stake once something says "race": the report's loss, corruption or crash. */
export const STAKES = /\b(?:data[- ]loss|los(?:e|t|ing) (?:data|writes?|updates?)|discard(?:s|ed)? dirty|corrupt(?:s|ed|ion)?|use-after-free|BUG_ON|kernel BUG|crash(?:es|ed)?|hang(?:s|ing)?)\b/i;

/** The stance a review trailer gives, or null for a trailer that takes none. */
export function trailerStance(name: string): 'reviewed' | 'acked' | 'tested' | 'nacked' | null {
  const n = name.toLowerCase();
  return n === 'reviewed-by' ? 'reviewed' : n === 'acked-by' ? 'acked' : n === 'tested-by' ? 'tested' : n === 'nacked-by' ? 'nacked' : null;
}

/** A maintainer's reply that takes the patch. */
export const APPLIED = /^\s*(?:Applied|Queued|Pushed|Picked up|Merged)\b[^.\n]{0,80}(?:thanks|thank you|\.|!|$)|\b(?:applied|queued) (?:to|in|into|for) (?:the )?[\w./-]*(?:branch|tree|for-next|dev|-next|fixes)\b|\bthanks,? applied\b/i;

/** Words that mark a fix as a work in progress. */
export const WIP = /\b(?:WIP|untested|not (?:even )?(?:compile[- ])?tested|completely untested|only compile[- ]tested|rough (?:draft|sketch|idea|conversation starter)|something like (?:this|the following)|totally untested|RFC)\b/i;

/** Identifiers that look like functions but are English or C keywords. */
export const NOT_FUNCTIONS = new Set([
  'if', 'for', 'while', 'switch', 'return', 'sizeof', 'typeof', 'e.g', 'i.e', 'etc', 'and', 'or', 'not', 'the', 'a',
  'likely', 'unlikely', 'defined', 'main', 'printf', 'fn', 'func', 'function', 'foo', 'bar', 'baz',
  // the language's helpers, annotations and init hooks, and what a pasted trace or log line calls:
  // never the code path a race runs through
  'offsetof', 'container_of', 'ARRAY_SIZE', 'min', 'max', 'min_t', 'max_t', 'READ_ONCE', 'WRITE_ONCE',
  '__releases', '__acquires', '__must_hold', '__acquire', '__release', '__cond_lock',
  'module_init', 'module_exit', 'fs_initcall', 'late_initcall', 'core_initcall', 'subsys_initcall', 'device_initcall',
  'panic', 'printk', 'pr_err', 'pr_warn', 'pr_info', 'pr_debug', 'pr_notice', 'dump_stack',
]);

// Cheap one-pass looks before the word lists (each a regex pass of its own) are asked.
// The gate for reading quotes: words only a race discussion uses (not the false friends).
export const RACE_HINT = /\brac(?:e|es|ed|y|ing)\b|race[- ]condition|dead-?lock|double[- ]lock|ABBA|AB-BA|concurrent|simultaneous|interleav|TOCTOU|smp_[rw]?mb|smp_(?:load|store)_|READ_ONCE|WRITE_ONCE|use[- ]after[- ]free|\bUAF\b|KCSAN|circular locking|lock inversion|hung task|blocked for more/i;
// Whether any race word list or false friend can match at all.
export const REASON_HINT = /rac(?:e|y|ing)|dead-?lock|double[- ]lock|ABBA|AB-BA|concurren|simultaneous|same time|parallel|interleav|TOCTOU|time[- ]of[- ]check|smp_|memory (?:barrier|ordering)|READ_ONCE|WRITE_ONCE|after[- ]free|UAF|window|hole between|KCSAN|locking|lock inversion|lock order|blocked for more|hung_task|syzbot|syzkaller|false[- ](?:positive|alarm|report)|lockdep|lock_class_key|NESTING|_nested|MAX_LOCKDEP|annotate|throughput|scalab|IOPS|[MG]B\/s|latency|speed ?up|performance/i;
// Whether any outcome can match; whether any lock can be named.
export const OUTCOME_HINT = /lock|ABBA|AB-BA|inversion|hung|lockup|free|UAF|los[est]|loss|miss|discard|dirty|corrupt|inconsisten|damag|offset|fsck|bad (?:inode|block)|BUG|NULL|null-ptr|Oops|panic|crash|protection fault|WARN|stale|transient|out[- ]of[- ]date|up[- ]to[- ]date|older|previous|short read|see (?:the )?(?:latest |new |recent )?(?:changes?|updates?|entries|files?|values?|data)|wrong|incorrect|benign|harmless|data_race|forever|indefinite|unwritten|uninitiali/i;
export const LOCK_HINT = /lock|mutex|sem\b|_sem|rcu|RCU|barrier|smp_|PTL|ptl|PG_locked|s_umount/;
