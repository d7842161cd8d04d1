/** Runs the CLI in process, with what it writes to stdout and stderr captured instead of printed. */
import { main } from '../../harness/cli/index.ts';

export async function runCli(argv: string[]): Promise<{ code: number; text: string }> {
  const out = process.stdout.write;
  const err = process.stderr.write;
  let text = '';
  const capture = ((s: string | Uint8Array) => ((text += String(s)), true)) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    return { code: await main(argv), text };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
