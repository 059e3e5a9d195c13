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

// What prints a report or takes the CPU into the kernel: dump_stack, KASAN/KFENCE/KCSAN/UBSAN
// reports, lockdep, printk and panic, the stack walkers, the syscall and IRQ entry code (with
// ret_from_fork), and the sanitizers' instrumented wrappers that every atomic or bitop frame
// of a KASAN splat passes through.
const REPORTING_MACHINERY =
  /^(?:lib\/dump_stack\.c|lib\/ubsan\.c|lib\/stackdepot\.c|lib\/bug\.c|mm\/kasan\/|mm\/kfence\/|mm\/kmsan\/|kernel\/kcsan\/|kernel\/locking\/lockdep[\w.]*|kernel\/printk\/|kernel\/panic\.c|kernel\/hung_task\.c|kernel\/stacktrace\.c|kernel\/entry\/|arch\/[\w-]+\/entry\/|arch\/[\w-]+\/kernel\/(?:dumpstack[\w.]*|stacktrace\.c|traps\.c|unwind[\w.]*|process(?:_64|_32)?\.c)$|arch\/[\w-]+\/include\/asm\/idtentry\.h$|include\/linux\/instrumented\.h$|include\/linux\/atomic\/atomic-(?:instrumented|arch-fallback|long)\.h$|include\/asm-generic\/bitops\/instrumented-[\w-]+\.h$)/;

/** Whether a path is the reporting machinery a splat's frames pass through, not the race's code. */
export function isReportingMachinery(path: string): boolean {
  return REPORTING_MACHINERY.test(path);
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
