/** A worker thread's side of --workers: run one engine on the config the main thread sends, post back its snapshot. */
import { parentPort } from 'node:worker_threads';
import { LoadEngine, type EngineConfig } from './engine.ts';

const port = parentPort!;
port.once('message', (cfg: EngineConfig) => {
  new LoadEngine(cfg).run().then(
    (snapshot) => port.postMessage({ kind: 'done', snapshot }),
    (e: unknown) => port.postMessage({ kind: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e) }),
  );
});
port.postMessage({ kind: 'ready' });
