/**
 * Names of the real-MTA targets. The harness's resolver (targets/resolve.ts)
 * calls resolveMtaTarget() for names it does not know. Implementations are
 * loaded when a target starts, so naming one costs no import of testcontainers.
 *
 *   postfix, postfix:3.7   Postfix in the smtptest/postfix:3.7 container
 *   exim, exim:4.96        Exim in the smtptest/exim:4.96 container
 *   postfix-native         this host's Postfix as a private instance
 *   exim-native            Exim from scripts/install-native-mtas, private instance
 */
import { EXIM, POSTFIX, type MtaSpec } from './mta.ts';
import type { StartedTarget, Target, TargetStartOptions } from './types.ts';

/** Target names this module knows, for help texts. */
export const MTA_TARGETS = ['postfix', 'postfix:3.7', 'exim', 'exim:4.96', 'postfix-native', 'exim-native'] as const;

/**
 * We write these MTAs' configs, so a run sets their idle timeout too: by
 * default 300 s × 0.01 = 3 s, and timer scenarios take seconds. A
 * certification run against the RFC's real minutes passes --timeout-scale 1.
 */
const MTA_TIMEOUT_SCALE = 0.01;

export function resolveMtaTarget(spec: string): Target | undefined {
  switch (spec) {
    case 'postfix':
    case 'postfix:3.7':
      return containerTarget(spec, POSTFIX);
    case 'exim':
    case 'exim:4.96':
      return containerTarget(spec, EXIM);
    case 'postfix-native':
      return {
        name: spec,
        defaultTimeoutScale: MTA_TIMEOUT_SCALE,
        async start(opts?: TargetStartOptions): Promise<StartedTarget> {
          return (await import('./postfix/native.ts')).startPostfixNative(spec, opts);
        },
      };
    case 'exim-native':
      return {
        name: spec,
        defaultTimeoutScale: MTA_TIMEOUT_SCALE,
        async start(opts?: TargetStartOptions): Promise<StartedTarget> {
          return (await import('./exim/native.ts')).startEximNative(spec, opts);
        },
      };
    default:
      return undefined;
  }
}

function containerTarget(name: string, spec: MtaSpec): Target {
  return {
    name,
    defaultTimeoutScale: MTA_TIMEOUT_SCALE,
    async start(opts?: TargetStartOptions): Promise<StartedTarget> {
      return (await import('./container.ts')).startContainerTarget(spec, name, opts);
    },
  };
}
