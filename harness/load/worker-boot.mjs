// Worker-thread entry: TypeScript sources run through tsx's loader (no build step), as in bin/smtptest.js.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
