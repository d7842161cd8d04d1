/**
 * Is harness/wire's ReplyParser fast enough for the load path, or does the
 * load path need its own scanner? Feeds both the same reads (what a load
 * client sees: single-line replies one per read, a pipelined group in one
 * read, and a multiline EHLO) and prints ns per reply.
 *
 *   node --import tsx scripts/bench-reply-parser.ts [rounds]
 *
 * A figure, not a test: run it on a quiet machine and compare the columns.
 */
import { ReplyParser } from '../harness/wire/reply.ts';
import { scanReplies, type LineSink } from '../harness/load/scan.ts';

const ROUNDS = Number(process.argv[2] ?? 200_000);
const READS = {
  'one reply per read': [Buffer.from('250 2.1.0 Ok\r\n'), Buffer.from('250 2.1.5 Ok\r\n'), Buffer.from('354 End data with <CR><LF>.<CR><LF>\r\n'), Buffer.from('250 2.0.0 Ok: queued as 4F2Q1\r\n')],
  'pipelined group': [Buffer.from('250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n')],
  'multiline EHLO': [Buffer.from('250-mx.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250 STARTTLS\r\n')],
};
const repliesIn = { 'one reply per read': 4, 'pipelined group': 4, 'multiline EHLO': 1 };

class Counter implements LineSink {
  n = 0;
  sum = 0;
  line(_b: Buffer, _s: number, _e: number, code: number, last: boolean): boolean {
    if (last) {
      this.n++;
      this.sum += code;
    }
    return true;
  }
}

function measure(name: string, fn: () => number): void {
  for (let i = 0; i < 3; i++) fn(); // warm up
  const t0 = process.hrtime.bigint();
  const replies = fn();
  const ns = Number(process.hrtime.bigint() - t0);
  console.log(`  ${name.padEnd(40)} ${(ns / replies).toFixed(0).padStart(6)} ns/reply`);
}

console.log(`bench-reply-parser: ${ROUNDS} rounds`);
for (const [kind, reads] of Object.entries(READS)) {
  const per = repliesIn[kind as keyof typeof repliesIn];
  console.log(kind);
  measure('ReplyParser (harness/wire/reply.ts)', () => {
    const p = new ReplyParser();
    let n = 0;
    for (let r = 0; r < ROUNDS; r++) for (const b of reads) n += p.push(b).length;
    if (n !== ROUNDS * per) throw new Error('miscounted');
    return n;
  });
  measure('scanReplies (harness/load/scan.ts)', () => {
    const c = new Counter();
    for (let r = 0; r < ROUNDS; r++) for (const b of reads) scanReplies(b, 0, b.length, c);
    if (c.n !== ROUNDS * per) throw new Error('miscounted');
    return c.n;
  });
}
