/**
 * The mutant target: `mutant` is our reference SMTP server, `mutant:NAME`
 * (or `mutant:A,B`) the same server with named faults switched on. See
 * faults.ts for the list and docs/mutation.md for what it is for.
 */
import type { StartedTarget, Target, TargetStartOptions } from '../types.ts';
import { FaultSet, parseFaults } from './faults.ts';
import { MUTANT_DOMAINS, MutantServer } from './server.ts';
import { TEST_ACCOUNT } from '../test-credentials.ts';

export { FAULTS, FAULT_NAMES, type FaultName, FaultSet, parseFaults } from './faults.ts';
export { MutantServer } from './server.ts';

/** The name a target with these faults goes by: 'mutant' or 'mutant:a,b'. */
export function mutantName(faults: FaultSet): string {
  return faults.size ? `mutant:${faults.list().join(',')}` : 'mutant';
}

export function mutantTarget(faults: FaultSet = new FaultSet(), options: { sizeLimit?: number } = {}): Target {
  const name = mutantName(faults);
  return {
    name,
    // Our own timers: a default run uses a 3-second idle timeout, not 5 minutes.
    defaultTimeoutScale: 0.01,
    async start(opts: TargetStartOptions = {}): Promise<StartedTarget> {
      const server = new MutantServer({ faults, timeoutScale: opts.timeoutScale, sizeLimit: options.sizeLimit });
      const { address, port } = await server.listen();
      let stopped = false;
      return {
        name,
        host: address,
        port,
        tls: 'none',
        description: faults.size ? `smtptest mutant server with fault ${faults.list().join(', ')}` : 'smtptest mutant server (reference mode, no faults)',
        inProcess: true,
        facts: {
          domain: MUTANT_DOMAINS[0],
          recipient: `user@${MUTANT_DOMAINS[0]}`,
          idleTimeoutMs: server.idleTimeoutMs,
          sizeLimit: server.sizeLimit,
          auth: { ...TEST_ACCOUNT },
        },
        mailbox: server.mailbox,
        async stop() {
          if (stopped) return;
          stopped = true;
          await server.close();
        },
      };
    },
  };
}

/** Resolver for targets/resolve.ts: 'mutant' or 'mutant:NAME[,NAME]'. */
export function mutantTargetFromSpec(spec: string): Target | undefined {
  const m = /^mutant(?::(.*))?$/.exec(spec);
  if (!m) return undefined;
  return mutantTarget(parseFaults(m[1] ?? ''));
}
