// A benchmark reference, not part of the product: the plainest Node SMTP client that does what
// `smtptest load` does without its measuring (no histograms, no phases, no timeline, no error
// accounting), to show what the harness costs on top of Node itself. Used by bench-vs-smtp-source.
//
//   node scripts/plain-node-client.mjs PORT MESSAGES SESSIONS SIZE [--new-connection]
//
// Prints one JSON line: { messages, ms, cpuMs, userMs, systemMs } (CPU of the run, start-up excluded).
import net from 'node:net';

const [port, messages, sessions, size] = process.argv.slice(2, 6).map(Number);
const newConnection = process.argv.includes('--new-connection');
if (!port || !messages || !sessions || !size) {
  console.error('usage: plain-node-client.mjs PORT MESSAGES SESSIONS SIZE [--new-connection]');
  process.exit(2);
}

// The same shape of message as smtptest's: three header lines, then lines of 76 characters, `size` octets before ".CRLF".
const head = 'From: <load@smtptest.example>\r\nTo: <user@smtptest.example>\r\nSubject: plain\r\n\r\n';
let body = '';
while (head.length + body.length + 78 <= size) body += 'x'.repeat(76) + '\r\n';
const last = size - head.length - body.length;
if (last >= 3) body += 'x'.repeat(last - 2) + '\r\n';
const content = Buffer.from(head + body + '.\r\n', 'latin1');
const EHLO = Buffer.from('EHLO plain.example\r\n');
const STEPS = [Buffer.from('MAIL FROM:<load@smtptest.example>\r\n'), Buffer.from('RCPT TO:<user@smtptest.example>\r\n'), Buffer.from('DATA\r\n'), content];
const QUIT = Buffer.from('QUIT\r\n');
const READ = Buffer.allocUnsafe(65536);

let claimed = 0;
let done = 0;
let open = sessions;
const t0 = performance.now();
const cpu0 = process.cpuUsage();

function session() {
  // -2 greeting, -1 EHLO, 0..3 the message's steps, 4 QUIT. Replies are taken whole: one reply per read here.
  let step = -2;
  const s = new net.Socket({ onread: { buffer: READ, callback: () => (reply(), true) } });
  s.on('error', (e) => {
    console.error(`plain-node-client: ${e.message}`);
    process.exit(1);
  });
  const next = () => {
    if (claimed < messages && (!newConnection || step === -1)) {
      claimed++;
      step = 0;
      s.write(STEPS[0]);
    } else {
      step = 4;
      s.write(QUIT);
    }
  };
  function reply() {
    if (step === -2) {
      step = -1;
      s.write(EHLO);
    } else if (step === -1) next();
    else if (step === 4) {
      s.resetAndDestroy();
      if (newConnection && claimed < messages) return session();
      if (--open === 0) finish();
    } else if (step < 3) s.write(STEPS[++step]);
    else {
      done++;
      next();
    }
  }
  s.connect(port, '127.0.0.1');
}

function finish() {
  const c = process.cpuUsage(cpu0);
  console.log(JSON.stringify({ messages: done, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, userMs: c.user / 1000, systemMs: c.system / 1000 }));
}

if (newConnection) open = Math.min(sessions, messages);
for (let i = 0; i < open; i++) session();
