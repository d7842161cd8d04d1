/**
 * Whether the real MTAs can run here. Missing ones skip loudly, unless
 * SMTPTEST_REQUIRE_MTA=1 (CI), where their tests run and fail.
 */
import fs from 'node:fs';
import { ImageName } from 'testcontainers';
import { runtimeClient } from '../../targets/container.ts';
import { EXIM, POSTFIX, type MtaSpec } from '../../targets/mta.ts';
import { OPT_DIR } from '../../targets/native.ts';

export const REQUIRE_MTA = process.env.SMTPTEST_REQUIRE_MTA === '1';

/** Why containers of `spec` cannot start here, or undefined. */
export async function containerUnavailable(spec: MtaSpec): Promise<string | undefined> {
  try {
    const client = await runtimeClient();
    if (!(await client.image.exists(ImageName.fromString(spec.image)))) return `image ${spec.image} is not built (scripts/build-images)`;
    return undefined;
  } catch (e) {
    return `${(e as { code?: string }).code ?? 'error'}: ${(e as Error).message}`;
  }
}

/** Why `kind`-native cannot start here, or undefined. */
export function nativeUnavailable(spec: MtaSpec): string | undefined {
  if (process.getuid?.() !== 0) return 'native MTA instances need root';
  const files =
    spec === POSTFIX
      ? ['/usr/sbin/postconf', '/usr/share/postfix/master.cf.dist', `${OPT_DIR}/tls/cert.pem`]
      : spec === EXIM
        ? [`${OPT_DIR}/exim/usr/sbin/exim4`, `${OPT_DIR}/tls/cert.pem`]
        : [];
  const missing = files.filter((f) => !fs.existsSync(f));
  return missing.length ? `missing ${missing.join(', ')} (scripts/install-native-mtas)` : undefined;
}

/** True when the tests of `what` are to be skipped; says so loudly. */
export function skipBecause(what: string, reason: string | undefined): boolean {
  if (reason === undefined || REQUIRE_MTA) return false;
  console.warn(`\n*** SKIPPING ${what}: ${reason}\n*** (SMTPTEST_REQUIRE_MTA=1 turns this into a failure)\n`);
  return true;
}
