// Text in a mail that is no one's words about the code: addresses (URLs, Message-IDs, email
// addresses) and the frames a checker's report prints for its own machinery. A link to
// ".../lumafs-race-report@..." says nothing of a race; a KASAN splat's lib/dump_stack.c is
// where the report was printed, not where the race is. Pure.

// A URL up to the next space or closing bracket; a Message-ID or email address (with or
// without angle brackets); a lore/patchwork link written without its scheme.
const ADDRESS = /\b(?:https?|ftp|git|ssh):\/\/[^\s<>"')\]]+|\b(?:lore|lkml|patchwork)\.kernel\.org\/[^\s<>"')\]]*|<[^<>\s@]+@[^<>\s]+>|[\w.+=-]+@[\w-]+(?:\.[\w-]+)+/gi;

/**
 * The text with every address blanked to spaces of the same length, so that offsets found
 * in it hold in the original and word lists never match inside a link or a Message-ID.
 */
export function blankAddresses(text: string): string {
  if (!text.includes('@') && !text.includes('://') && !text.includes('.kernel.org/')) return text;
  // syzbot's own address (Reported-by: syzbot+<hash>@syzkaller.appspotmail.com) is kept: it
  // names the checker that reported, which is what the syzbot marker looks for
  return text.replace(ADDRESS, (m) => (/^syzbot\b[\w.+-]*@/i.test(m) ? m : ' '.repeat(m.length)));
}

// Another commit's title is that commit's words, not this mail's: "b3d208f96d6b ("f2fs: revisit
// inline_data to avoid data races")" in prose or a Fixes: line; a line of `git log --oneline`
// ("cdcb173c158e f2fs: Fix the race condition of resize flag", a list of what was tested, with
// syzbot's "HEAD commit:    6c1b980a7e79 Merge tag ..." and "commit: fd78b242 f2fs: fix potential
// deadlock due to ..."); and `git log`'s own block (commit <id>, Author:, Date:, the message
// indented), as syzbot's bisections print the commit they blame or suspect fixed it.
const QUOTED_TITLE = /\b[0-9a-f]{7,40}\s*\(\s*"[^"\n]{1,200}"\s*\)/g;
// (a commit id has a digit: "defaced" is a word)
// (an abbreviated id of 7 to 14 digits or a whole one: a lockdep splat's "ffff888057a62610 (&sbi->sb_lock)" is an address)
const ONELINE = /^[ \t]*(?:[-*]\s+|\[\d+\]\s+|(?:HEAD )?commit:\s+)?(?=[0-9a-f]*\d)(?:[0-9a-f]{7,14}|[0-9a-f]{40}) (?![\s(\[{<])[^\n]*/gm;
const LOG_BLOCK = /^[ \t]*commit [0-9a-f]{40}\b[^\n]*(?:\n[ \t]*(?:Author|AuthorDate|Commit|CommitDate|Date|Merge):[^\n]*)+(?:\n[ \t]*(?=\n)|\n {4}[^\n]*)*/gm;

/** The text with other commits' titles quoted after their ids blanked to spaces, so offsets hold and no word list matches inside one. */
export function blankQuotedTitles(text: string): string {
  return text.includes('("') ? text.replace(QUOTED_TITLE, (m) => ' '.repeat(m.length)) : text;
}

/** The lines (quote markers already stripped) that are another commit's: a `git log --oneline` line, or a `git log` block's. */
export function otherCommitLines(lines: readonly string[]): Set<number> {
  const out = new Set<number>();
  const text = lines.join('\n');
  // every form holds a commit id of seven hex digits and more
  if (!/[0-9a-f]{7}/.test(text)) return out;
  const starts: number[] = [];
  for (let i = 0, at = 0; i < lines.length; at += (lines[i] ?? '').length + 1, i++) starts.push(at);
  const mark = (from: number, to: number): void => {
    // the lines holding text [from, to): a binary search for the first, then on while they start before `to`
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= from) lo = mid;
      else hi = mid - 1;
    }
    for (let i = lo; i < starts.length && starts[i]! < to; i++) out.add(i);
  };
  if (text.includes('commit ')) for (const m of text.matchAll(LOG_BLOCK)) mark(m.index, m.index + m[0].length);
  for (const m of text.matchAll(ONELINE)) mark(m.index, m.index + Math.max(1, m[0].length));
  return out;
}

// What prints a report or takes the CPU into the kernel: dump_stack, KASAN/KFENCE/KCSAN/UBSAN
// reports, lockdep, printk and panic, the stack walkers, the syscall and IRQ entry code (with
// ret_from_fork), and the sanitizers' instrumented wrappers that every atomic or bitop frame
// of a KASAN splat passes through.
const REPORTING_MACHINERY =
  /^(?:lib\/dump_stack\.c|lib\/ubsan\.c|lib\/refcount\.c|lib\/stackdepot\.c|lib\/bug\.c|mm\/kasan\/|mm\/kfence\/|mm\/kmsan\/|kernel\/kcsan\/|kernel\/locking\/lockdep[\w.]*|kernel\/printk\/|kernel\/panic\.c|kernel\/hung_task\.c|kernel\/stacktrace\.c|kernel\/entry\/|arch\/[\w-]+\/entry\/|arch\/[\w-]+\/kernel\/(?:dumpstack[\w.]*|stacktrace\.c|traps\.c|unwind[\w.]*|process(?:_64|_32)?\.c)$|arch\/[\w-]+\/include\/asm\/idtentry\.h$|include\/linux\/instrumented\.h$|include\/linux\/atomic\/atomic-(?:instrumented|arch-fallback|long)\.h$|include\/asm-generic\/bitops\/instrumented-[\w-]+\.h$)/;

/** Whether a path is the reporting machinery a splat's frames pass through, not the race's code. */
export function isReportingMachinery(path: string): boolean {
  return REPORTING_MACHINERY.test(path);
}

// A KASAN report's stacks of where the object was allocated and freed pass through the
// allocator (mm/slub.c, include/linux/slab.h) and RCU or workqueue callbacks before they
// reach the code that allocated or freed it, which is often the race's other side (the
// evict path that freed the inode): only the machinery is dropped there. page_owner's stacks
// of where the slab's page came from are the allocator's and boot's (init/main.c): dropped
// whole. A stack runs from its heading to a blank line (console prefixes "[  12.3][ T5097]"
// and quote markers aside) or to the part of the report that follows it; a quoted report
// comes with its lines joined, so a heading may stand anywhere in a line.
const STACK_HEADING = /(?:Allocated|Freed) by task \d+:|(?:Second to last |Last )potentially related work creation:|(page last allocated via|page last free|page_owner tracks the page)/g;
// the next stack's heading ends one too: the analyzer hands over a report's paragraphs without the blank lines between them
const STACK_END = /\n[> \t]*(?:\[[^\]\n]*\][ \t]*)*(?=\n|$)|The buggy address|Memory state around the buggy address|(?:Allocated|Freed) by task \d+:|(?:Second to last |Last )potentially related work creation:|page last allocated via|page last free|page_owner tracks the page/g;
const ALLOCATOR =
  /^(?:mm\/(?:slub|slab|slab_common|page_alloc|page_owner|mempool|util|kmemleak|vmalloc)\.[ch]|include\/linux\/(?:slab|gfp|page_owner|kasan|kmemleak|mm|rcupdate)\.h|kernel\/rcu\/|kernel\/workqueue\.c|kernel\/softirq\.c|kernel\/kthread\.c|kernel\/irq_work\.c|mm\/percpu\.c)/;

/** Where a report's allocation stacks lie in a text: [start, end, whole] with whole set for page_owner's. */
function allocationStacks(text: string): [number, number, boolean][] {
  if (!text.includes(' by task ') && !text.includes('page last') && !text.includes('related work creation') && !text.includes('page_owner')) return [];
  const out: [number, number, boolean][] = [];
  STACK_HEADING.lastIndex = 0;
  for (let h = STACK_HEADING.exec(text); h !== null; h = STACK_HEADING.exec(text)) {
    STACK_END.lastIndex = h.index + h[0].length;
    const end = STACK_END.exec(text)?.index ?? text.length;
    out.push([h.index, end, h[1] !== undefined]);
    STACK_HEADING.lastIndex = end;
  }
  return out;
}

/**
 * A test for the paths named at offsets of `text`: whether the one at `at` is an allocation
 * stack's machinery (any path of page_owner's stacks; the allocator, RCU and workqueue frames
 * of the allocated and freed stacks).
 */
export function allocatorFrames(text: string): (path: string, at: number) => boolean {
  const stacks = allocationStacks(text);
  if (stacks.length === 0) return () => false;
  return (path, at) => stacks.some(([s, e, whole]) => at >= s && at < e && (whole || ALLOCATOR.test(path)));
}

// A sentence that introduces nothing: a pleasantry, or trailers run together into one
// ("Signed-off-by: X <x@y> cc: Y <y@z>"), as before a diff pasted with its changelog.
const NO_INTRO = /^(?:(?:many |thank)?thanks?(?: you| a lot)?|thx|cheers|regards|best regards|br|hi|hello)\b[\s\w,.!-]{0,30}$|^(?:[A-Z][a-z]+(?:-[a-z]+)*-(?:by|off)|cc|to|link|closes|fixes):\s/i;

/** Whether a sentence before an inline diff says what the diff is: not a greeting or a trailer. */
export function introducesNothing(sentence: string): boolean {
  return NO_INTRO.test(sentence.trim());
}

// syzbot's footer tells how to ask for a test ("If you want syzbot to run the reproducer,
// reply with: #syz test: git://..."), and a reply's "#syz test" line is a command, not a proposal.
const SYZBOT_COMMAND = /#syz\b|\bsyzbot\b.{0,80}\breply(?:ing)? with\b/i;

/** Whether a sentence is syzbot's instructions or a command to it. */
export function isSyzbotCommand(sentence: string): boolean {
  return SYZBOT_COMMAND.test(sentence);
}
