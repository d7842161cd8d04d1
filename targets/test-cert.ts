/** The self-signed test certificate the in-process servers (embedded, sink, mutant) offer for STARTTLS. */
import fs from 'node:fs';
import { fromPackage } from '../harness/paths.ts';

/** Key and certificate in PEM, read from targets/embedded/. */
export function testCertificate(): { key: Buffer; cert: Buffer } {
  return { key: fs.readFileSync(fromPackage('targets', 'embedded', 'test-key.pem')), cert: fs.readFileSync(fromPackage('targets', 'embedded', 'test-cert.pem')) };
}
