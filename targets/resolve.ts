/** Target names → targets. The CLI and runSuites() take a name or a Target. */
import { SmtpTestError } from '../harness/errors.ts';
import { urlTarget } from './url.ts';
import { MTA_TARGETS, resolveMtaTarget } from './registry.ts';
import type { Target } from './types.ts';

type Resolver = (spec: string) => Target | undefined | Promise<Target | undefined>;

/** Resolvers tried in order; modules with heavier dependencies are loaded only when named. */
const resolvers: Resolver[] = [
  async (spec) => (spec === 'embedded' ? (await import('./embedded/index.ts')).embeddedTarget() : undefined),
  urlTarget,
  async (spec) => (spec === 'mutant' || spec.startsWith('mutant:') ? (await import('./mutant/index.ts')).mutantTargetFromSpec(spec) : undefined),
  async (spec) => (spec === 'sink' || spec.startsWith('sink:') ? (await import('./sink/index.ts')).sinkTarget(spec) : undefined),
  resolveMtaTarget,
];

export const KNOWN_TARGETS = ['embedded', 'mutant[:FAULT]', 'sink[:OPTIONS]', ...MTA_TARGETS, 'smtp://HOST:PORT', 'smtps://HOST:PORT'];

export async function resolveTarget(spec: string): Promise<Target> {
  for (const r of resolvers) {
    const t = await r(spec);
    if (t) return t;
  }
  throw new SmtpTestError('E_CONFIG', `unknown target '${spec}' (known: ${KNOWN_TARGETS.join(', ')})`);
}
