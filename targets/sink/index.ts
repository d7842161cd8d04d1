/**
 * The built-in sink as a target: `sink` or `sink:OPTIONS` (see options.ts).
 * It runs in this process; to measure the harness's own ceiling without the
 * sink sharing its event loop, run `smtptest sink` in another process and
 * point `--target smtp://127.0.0.1:PORT` at it.
 */
import type { StartedTarget, Target } from '../types.ts';
import { defaultSinkOptions, parseSinkSpec, type SinkOptions } from './options.ts';
import { SinkServer, type SinkStats } from './server.ts';

export { parseSinkSpec, defaultSinkOptions, type SinkOptions } from './options.ts';

export interface StartedSink extends StartedTarget {
  readonly stats: SinkStats;
  /** Stops answering for `ms` from now (connections stay open). */
  freeze(ms: number): void;
}

/** Starts a sink with these options (tests call this directly). */
export async function startSink(options: Partial<SinkOptions> = {}, name = 'sink'): Promise<StartedSink> {
  const server = new SinkServer({ ...defaultSinkOptions(), ...options });
  const { host, port } = await server.listen();
  let stopped = false;
  return {
    name,
    host,
    port,
    tls: 'none',
    description: `smtptest sink (in process${describeFaults(server.options)})`,
    inProcess: true,
    facts: { domain: 'sink.smtptest.example', recipient: 'user@sink.smtptest.example' },
    stats: server.stats,
    freeze: (ms) => server.freeze(ms),
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
    },
  };
}

/** Resolver for `sink` and `sink:OPTIONS`. */
export function sinkTarget(spec: string): Target | undefined {
  if (spec !== 'sink' && !spec.startsWith('sink:')) return undefined;
  const options = parseSinkSpec(spec.slice(5));
  return { name: spec, start: () => startSink(options, spec) };
}

export function describeFaults(o: SinkOptions): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(o.delayMs)) parts.push(`${k === 'all' ? '' : k + '-'}delay=${v}ms`);
  for (const [k, v] of Object.entries(o.tempfail)) parts.push(`${k}-4xx=${v * 100}%`);
  for (const [k, v] of Object.entries(o.permfail)) parts.push(`${k}-5xx=${v * 100}%`);
  if (o.disconnect) parts.push(`disconnect=${o.disconnect * 100}%`);
  if (o.reset) parts.push(`reset=${o.reset * 100}%`);
  if (o.freeze) parts.push(`freeze=${o.freeze.forMs}ms@${o.freeze.atMs}ms`);
  return parts.length ? `; ${parts.join(', ')}` : '';
}
