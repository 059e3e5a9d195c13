// A deterministic, kernel-like generated archive for benchmarks and large tests: patch
// series with covers and diffs, review replies with quoting and trailers, stable mails,
// QP/base64/iso-8859-1 bodies, a few replies to messages that are not in the archive.
// Same seed and count, same bytes. Written to bench/out/ (gitignored).
//   node --import tsx bench/generate-archive.ts [count] [out-file]
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_OUT = join(dirname(fileURLToPath(import.meta.url)), 'out');

/** A small seeded generator (mulberry32): same seed, same sequence. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SUBSYS = ['mm', 'mm/slub', 'mm/filemap', 'mm/swap', 'fs/ext4', 'btrfs', 'xfs', 'smb: client', 'ksmbd', 'net: ipv4', 'net/mlx5', 'sched/fair', 'rcu', 'block', 'nvme', 'drm/i915', 'arm64: mm', 'x86/mm', 'io_uring', 'cgroup'];
const VERBS = ['fix', 'avoid', 'drop', 'add', 'use', 'rework', 'handle', 'clean up', 'document', 'simplify'];
const OBJS = ['a race between truncate and readahead', 'a use-after-free in the error path', 'an off-by-one in the range check', 'the lock ordering in the teardown path', 'a NULL dereference on early failure', 'stale folios after invalidation', 'the refcount leak on retry', 'redundant barriers', 'the unused helper', 'a deadlock under memory pressure', 'an overflow in the size calculation', 'missing RCU protection'];
const FUNCS = ['filemap_get_pages', 'folio_put', 'swap_cache_get_folio', 'ext4_map_blocks', 'btrfs_search_slot', 'smb2_query_info', 'tcp_recvmsg', 'schedule_timeout', 'rcu_read_lock', 'blk_mq_submit_bio', 'kmem_cache_alloc', 'lock_page', 'put_page', 'queue_work'];
const FILES = ['mm/filemap.c', 'mm/slub.c', 'mm/swap_state.c', 'fs/ext4/inode.c', 'fs/btrfs/ctree.c', 'fs/smb/client/smb2ops.c', 'net/ipv4/tcp.c', 'kernel/sched/fair.c', 'kernel/rcu/tree.c', 'block/blk-mq.c'];
const WORDS = 'the a lock folio page cache under while holding after before reference count release path error retry truncate mapping invalidate writeback reclaim memory pressure thread cpu interrupt context barrier ordering list entry node tree batch range lookup update value pointer buffer size check return caller callee helper function'.split(' ');
const NAMES = ['Mira Kowalczyk', 'Tomas Lindqvist', 'Hugo Brandt', 'Ines Okafor', 'Ravi Chandrasekar', 'Andrea Mertens', 'Jörg Fuchs', 'Zoë Marchetti', 'Li Wei', 'Søren Dahl', 'Ana Lucía Pérez', 'Kenji Watanabe'];

interface Msg {
  id: string;
  subject: string;
  refs: string[];
}

/**
 * 'classic': the archive the benches have always measured (12 senders, ~2,400 titles,
 * shallow threads, bare headers). 'lore': shaped after the real lore archives of
 * ../shared/corpus (bench/scale.ts prints both beside them): ~2,000 senders, a few of
 * them prolific; titles that repeat only as a sender's re-rolls do; replies that mostly
 * continue a thread's latest message, so threads run deep; and the delivery headers
 * (Received, DKIM, List-*) that make up much of a lore message's bytes.
 */
export type ArchiveShape = 'classic' | 'lore';

const FIRST = 'Mira Tomas Hugo Ines Ravi Andrea Jörg Zoë Li Søren Ana Kenji Greg Jens Christoph Darrick Jan Matthew Hannes Yu Chao Gao Xiang Qu Wenruo Josef Sasha Steve Paulo Shyam Namjae Tom Ronnie Pavel Eric Dave Jeff Amir Miklos Lorenzo'.split(' ');
const LAST = 'Kowalczyk Lindqvist Brandt Okafor Chandrasekar Mertens Fuchs Marchetti Wei Dahl Pérez Watanabe Hartman Axboe Hellwig Wong Kara Wilcox Reinecke Zhang Yu Xiang Li Qu Bacik Levin French Alcantara Prasad Jeon Talpey Sahlberg Begunkov Biggers Chinner Layton Goldstein Szeredi Stoakes Tanaka Novak Ferreira Rossi Schmidt'.split(' ');
const MAILERS = ['git-send-email 2.45.0', 'b4 0.14.2', 'Mozilla Thunderbird', 'Mutt/2.2.12 (2023-09-09)', 'Evolution 3.52.1'];

export interface GeneratedArchive {
  path: string;
  messages: number;
  bytes: number;
}

/** Writes `count` messages to `path` (mboxrd) unless an identical file is already there. */
export function generateArchive(count: number, path?: string, seed = 42, shape: ArchiveShape = 'classic'): GeneratedArchive {
  path ??= join(BENCH_OUT, shape === 'lore' ? `generated-lore-${count}.mboxrd` : `generated-${count}.mboxrd`);
  const lore = shape === 'lore';
  const stamp = lore ? `${count} ${seed} lore1` : `${count} ${seed}`;
  if (existsSync(path) && existsSync(`${path}.done`) && readFileSync(`${path}.done`, 'utf8') === stamp) return { path, messages: count, bytes: statSync(path).size };
  mkdirSync(dirname(path), { recursive: true });
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)] as T;
  const words = (n: number): string => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(pick(WORDS));
    return out.join(' ');
  };
  const para = (lines: number): string => {
    const out: string[] = [];
    for (let i = 0; i < lines; i++) out.push(words(8 + Math.floor(r() * 6)));
    return out.join('\n') + '\n';
  };
  const quote = (lines: number): string => {
    const out: string[] = [];
    for (let i = 0; i < lines; i++) out.push(r() < 0.15 ? '>' : `> ${r() < 0.2 ? '> ' : ''}${words(7 + Math.floor(r() * 6))}`);
    return out.join('\n') + '\n';
  };
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(r() * 16)];
    return s;
  };
  const diff = (hunks: number): string => {
    const file = pick(FILES);
    let d = `diff --git a/${file} b/${file}\nindex ${hex(12)}..${hex(12)} 100644\n--- a/${file}\n+++ b/${file}\n`;
    for (let h = 0; h < hunks; h++) {
      const line = 100 + Math.floor(r() * 3000);
      d += `@@ -${line},7 +${line},8 @@ static int ${pick(FUNCS)}(struct ${pick(['folio', 'page', 'inode', 'sock'])} *p)\n`;
      d += ` \t${words(4)};\n \tif (${pick(['!p', 'ret', 'unlikely(err)'])})\n-\t\treturn ${pick(['-EINVAL', '0', 'ret'])};\n+\t\tgoto ${pick(['out', 'err', 'retry'])};\n+\t${pick(FUNCS)}(p);\n \t${words(3)};\n`;
    }
    return d;
  };
  const person = (): { name: string; addr: string } => {
    // lore: one of FIRST x LAST people, skewed (r^3) so a few send much of the mail, as maintainers do
    const k = lore ? Math.floor(FIRST.length * LAST.length * r() ** 3) : 0;
    const name = lore ? `${FIRST[k % FIRST.length]} ${LAST[Math.floor(k / FIRST.length)]}` : pick(NAMES);
    return { name, addr: `${name.toLowerCase().normalize('NFD').replace(/[^a-z ]/g, '').replace(/ /g, '.')}@example.org` };
  };
  const recent: Msg[] = [];
  let t = Date.UTC(2020, 0, 1);
  let written = 0;
  let bytes = 0;
  const fd = openSync(path, 'w');
  let buf: string[] = [];
  let bufLen = 0;
  const flush = (): void => {
    const b = Buffer.from(buf.join(''), 'utf8');
    writeSync(fd, b);
    bytes += b.length;
    buf = [];
    bufLen = 0;
  };
  const emit = (m: Msg, from: { name: string; addr: string }, body: string, extraHeaders: string[] = []): void => {
    t += 30_000 + Math.floor(r() * 600_000);
    const enc = r();
    let cte = '8bit';
    let charset = 'utf-8';
    let text = body;
    if (enc < 0.1) {
      cte = 'quoted-printable';
      text = qp(Buffer.from(body, 'utf8'));
    } else if (enc < 0.18) {
      cte = 'base64';
      text = b64lines(Buffer.from(body, 'utf8'));
    } else if (enc < 0.25) {
      cte = 'quoted-printable';
      charset = 'iso-8859-1';
      text = qp(Buffer.from(body.replace(/[^\x00-\xff]/g, '?'), 'latin1'));
    }
    const fromName = /[^\x00-\x7f]/.test(from.name) ? `=?utf-8?b?${Buffer.from(from.name).toString('base64')}?=` : from.name;
    const h = [
      `From: ${fromName} <${from.addr}>`,
      'To: linux-kernel@vger.kernel.org',
      `Cc: ${pick(NAMES).split(' ')[0]?.toLowerCase()}@example.com, linux-mm@kvack.org`,
      `Subject: ${m.subject}`,
      `Date: ${new Date(t).toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: <${m.id}>`,
    ];
    if (m.refs.length > 0) {
      h.push(`In-Reply-To: <${m.refs.at(-1)}>`);
      h.push(`References: ${m.refs.map((x) => `<${x}>`).join('\n ')}`);
    }
    h.push('List-Id: <linux-mm.kvack.org>', ...extraHeaders, 'MIME-Version: 1.0', `Content-Type: text/plain; charset=${charset}`, `Content-Transfer-Encoding: ${cte}`);
    if (lore) h.unshift(...deliveryHeaders(from.addr, m.id));
    const msg = `${h.join('\n')}\n\n${text}`.replace(/^(>*From )/gm, '>$1');
    const entry = `From mboxrd@z Thu Jan  1 00:00:00 1970\n${msg}${msg.endsWith('\n') ? '' : '\n'}\n`;
    buf.push(entry);
    bufLen += entry.length;
    if (bufLen > 1 << 20) flush();
    written++;
    recent.push(m);
    if (recent.length > 400) recent.shift();
    latest.set(m.refs[0] ?? m.id, m);
    if (latest.size > 4000) latest.delete(latest.keys().next().value as string);
  };
  // lore: the newest message of each recent thread, which a reply mostly answers
  const latest = new Map<string, Msg>();
  const deliveryHeaders = (addr: string, id: string): string[] => {
    const host = addr.split('@')[1] ?? 'example.org';
    const relay = (i: number) => `Received: from smtp${i}.${host} (smtp${i}.${host} [192.0.2.${(i * 37) % 250}])\n\tby smtp.subspace.kernel.org (Postfix) with ESMTPS id ${hex(10).toUpperCase()}\n\tfor <linux-mm@kvack.org>; ${new Date(t).toUTCString()}`;
    const hops = 2 + Math.floor(r() * 4);
    return [
      'Return-Path: <linux-mm+bounces@kvack.org>',
      ...Array.from({ length: hops }, (_, i) => relay(i)),
      `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=${host}; s=k20201202;\n\tt=${Math.floor(t / 1000)}; bh=${b64lines(Buffer.from(hex(32))).trim()};\n\th=From:To:Cc:Subject:Date:Message-ID:In-Reply-To:References;\n\tb=${b64lines(Buffer.from(hex(256))).trim().replace(/\n/g, '\n\t ')}`,
      `Authentication-Results: smtp.subspace.kernel.org; dkim=pass (2048-bit key) header.d=${host}`,
      `X-Mailer: ${pick(MAILERS)}`,
      'Precedence: bulk',
      'List-Subscribe: <mailto:linux-mm+subscribe@kvack.org>',
      'List-Unsubscribe: <mailto:linux-mm+unsubscribe@kvack.org>',
      `X-Original-Message-ID: <${id}>`,
    ];
  };

  let serial = 0;
  while (written < count) {
    const kind = r();
    const author = person();
    // lore: a title names where (function, and an id-like word), so a sender repeats one only by chance
    const topic = lore ? `${pick(SUBSYS)}: ${pick(VERBS)} ${pick(OBJS)} in ${pick(FUNCS)}_${hex(3)}()` : `${pick(SUBSYS)}: ${pick(VERBS)} ${pick(OBJS)}`;
    if (kind < 0.25 && written + 4 < count) {
      // a series: cover letter and patches threaded under it
      const n = 2 + Math.floor(r() * 5);
      const v = r() < 0.4 ? ` v${2 + Math.floor(r() * 3)}` : '';
      const cover: Msg = { id: `${t}.${serial++}-0-${author.addr}`, subject: `[PATCH${v} 0/${n}] ${topic}`, refs: [] };
      emit(cover, author, `${para(6)}\n${author.name} (${n}):\n${Array.from({ length: n }, () => `  ${pick(SUBSYS)}: ${pick(VERBS)} ${pick(OBJS)}`).join('\n')}\n\n base-commit: ${hex(40)}\n-- \n2.45.0\n`);
      for (let i = 1; i <= n && written < count; i++) {
        const big = r() < 0.05;
        emit({ id: `${t}.${serial++}-${i}-${author.addr}`, subject: `[PATCH${v} ${i}/${n}] ${pick(SUBSYS)}: ${pick(VERBS)} ${pick(OBJS)}${lore ? ` in ${pick(FUNCS)}_${hex(3)}()` : ''}`, refs: [cover.id] }, author,
          `${para(5 + Math.floor(r() * 8))}\nFrom ${words(3)} the old code path was wrong.\n\nFixes: ${hex(12)} ("${pick(SUBSYS)}: ${pick(VERBS)} ${pick(OBJS)}")\nSigned-off-by: ${author.name} <${author.addr}>\n---\n${diff(big ? 40 + Math.floor(r() * 80) : 1 + Math.floor(r() * 5))}-- \n2.45.0\n`);
      }
    } else if (kind < 0.8 && recent.length > 0) {
      // a reply quoting its parent, sometimes with a trailer
      const picked = pick(recent);
      const parent = lore && r() < 0.6 ? (latest.get(picked.refs[0] ?? picked.id) ?? picked) : picked;
      const orphan = r() < 0.02;
      // lore: References keep the root first however deep the thread, as mailers do
      const refs = orphan ? [`${hex(16)}@gone.example.org`] : lore && parent.refs.length >= 8 ? [parent.refs[0] as string, ...parent.refs.slice(-7), parent.id] : [...parent.refs.slice(-8), parent.id];
      const subject = parent.subject.startsWith('Re: ') ? parent.subject : `Re: ${parent.subject}`;
      const trailer = r() < 0.3 ? `\n${pick(['Reviewed-by', 'Acked-by', 'Tested-by'])}: ${author.name} <${author.addr}>\n` : '';
      emit({ id: `${t}.${serial++}.reply-${author.addr}`, subject, refs }, author,
        `On ${new Date(t).toUTCString()}, ${pick(NAMES)} wrote:\n${quote(3 + Math.floor(r() * 12))}\n${para(2 + Math.floor(r() * 8))}\n${quote(1 + Math.floor(r() * 4))}\n${para(1 + Math.floor(r() * 4))}${trailer}`);
    } else if (kind < 0.9) {
      const sha = hex(40);
      emit({ id: `${t}.${serial++}-stable-${author.addr}`, subject: `[PATCH ${pick(['6.1', '6.6', '6.12'])} ${String(1 + Math.floor(r() * 150)).padStart(3, '0')}/150] ${topic}`, refs: [] }, author,
        `6.x-stable review patch.  If anyone has any objections, please let me know.\n\n------------------\n\ncommit ${sha} upstream.\n\n${para(4)}\nSigned-off-by: ${author.name} <${author.addr}>\n---\n${diff(2)}`);
    } else {
      emit({ id: `${t}.${serial++}-${author.addr}`, subject: `[PATCH] ${topic}`, refs: [] }, author,
        `${para(6)}\nCc: stable@vger.kernel.org # 6.6+\nSigned-off-by: ${author.name} <${author.addr}>\n---\n${diff(1 + Math.floor(r() * 4))}`);
    }
  }
  flush();
  closeSync(fd);
  writeFileSync(`${path}.done`, stamp);
  return { path, messages: written, bytes };
}

function qp(b: Buffer): string {
  let out = '';
  let lineLen = 0;
  for (const c of b) {
    let s: string;
    if (c === 10) {
      out += '\n';
      lineLen = 0;
      continue;
    }
    if ((c >= 33 && c <= 126 && c !== 61) || c === 32 || c === 9) s = String.fromCharCode(c);
    else s = `=${c.toString(16).toUpperCase().padStart(2, '0')}`;
    if (lineLen + s.length > 75) {
      out += '=\n';
      lineLen = 0;
    }
    out += s;
    lineLen += s.length;
  }
  return out;
}

function b64lines(b: Buffer): string {
  const s = b.toString('base64');
  const out: string[] = [];
  for (let i = 0; i < s.length; i += 76) out.push(s.slice(i, i + 76));
  return out.join('\n') + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const count = Number(process.argv[2] ?? 100_000);
  const g = generateArchive(count, process.argv[3]);
  console.log(`${g.path}: ${g.messages} messages, ${(g.bytes / 1048576).toFixed(1)} MB`);
}
