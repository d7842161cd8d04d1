/**
 * What the in-process servers (embedded, sink, mutant) use to be tested
 * with: a self-signed certificate for STARTTLS, and one AUTH account
 * (RFC 4954) that the embedded and mutant targets give to the scenarios
 * that need credentials. The Exim image's configuration accepts the same
 * account (targets/exim/exim.conf, declared in targets/mta.ts).
 */
import fs from 'node:fs';
import { fromPackage } from '../harness/paths.ts';

/** Key and certificate in PEM, read from targets/embedded/. */
export function testCertificate(): { key: Buffer; cert: Buffer } {
  return { key: fs.readFileSync(fromPackage('targets', 'embedded', 'test-key.pem')), cert: fs.readFileSync(fromPackage('targets', 'embedded', 'test-cert.pem')) };
}

/** The test servers' one AUTH account. */
export const TEST_ACCOUNT = { user: 'smtptest', password: 'smtptest' } as const;
