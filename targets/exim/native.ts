/**
 * exim-native: Exim 4.96 unpacked by scripts/install-native-mtas (it
 * conflicts with Postfix as a Debian package) run as a private instance:
 * targets/exim/exim.conf with its path macros defined ahead of it, `exim4 -C
 * FILE -bdf` in the foreground as our child.
 *
 * Run with -C, Exim gives up root after binding its port and runs as its
 * compiled-in user Debian-exim, so spool, log and maildir belong to that user
 * and delivery runs as it (the image delivers as nobody).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fromPackage } from '../../harness/paths.ts';
import { EXIM } from '../mta.ts';
import { OPT_DIR, ownedDirs, requireFiles, startNative, systemUser, TLS_CERT, TLS_KEY, type NativeMta, type StartedNativeTarget } from '../native.ts';
import type { TargetStartOptions } from '../types.ts';

const EXIM_ROOT = path.join(OPT_DIR, 'exim');
const EXIM_BIN = path.join(EXIM_ROOT, 'usr', 'sbin', 'exim4');
const EXIM_USER = 'Debian-exim';

export function startEximNative(name: string, opts?: TargetStartOptions): Promise<StartedNativeTarget> {
  return startNative(eximNative, name, opts);
}

const eximNative: NativeMta = {
  spec: EXIM,

  check() {
    requireFiles('Exim', [EXIM_BIN, TLS_CERT, TLS_KEY]);
    systemUser('Exim', EXIM_USER);
    // install-native-mtas unpacks into exim-VERSION and points exim at it.
    const version = fs.readlinkSync(EXIM_ROOT).replace(/^exim-/, '');
    return `Exim ${version} (unpacked in ${EXIM_ROOT}, private instance)`;
  },

  prepare(dir, port, timeoutS) {
    const owner = systemUser('Exim', EXIM_USER);
    ownedDirs(path.join(dir, 'spool'), ['.'], owner);
    ownedDirs(path.join(dir, 'log'), ['.'], owner);
    ownedDirs(path.join(dir, 'mail'), ['maildir/new', 'maildir/cur', 'maildir/tmp'], owner);
    const macros: Record<string, string> = {
      SPOOL_DIR: path.join(dir, 'spool'),
      LOG_PATH: path.join(dir, 'log', '%slog'),
      PID_FILE: path.join(dir, 'exim.pid'),
      MAILDIR: path.join(dir, 'mail', 'maildir'),
      TLS_CERT,
      TLS_KEY,
      EXIM_PATH: EXIM_BIN,
      LOCAL_INTERFACES: `<; 127.0.0.1.${port}`,
      DELIVERY_USER: EXIM_USER,
      DELIVERY_GROUP: EXIM_USER,
    };
    if (timeoutS !== undefined) macros.SMTP_TIMEOUT = `${timeoutS}s`;
    const head = Object.entries(macros)
      .map(([k, v]) => `${k} = ${v}\n`)
      .join('');
    const conf = path.join(dir, 'exim.conf');
    fs.writeFileSync(conf, head + fs.readFileSync(fromPackage('targets', 'exim', 'exim.conf'), 'utf8'));
    return { argv: [EXIM_BIN, '-C', conf, '-bdf', '-q30m'], maildir: macros.MAILDIR! };
  },
};
