/**
 * postfix-native: this host's Postfix (Debian package, installed by
 * scripts/install-native-mtas) as a private instance: targets/postfix/main.cf
 * with the paths and listener below overridden, the package's pristine
 * master.cf with smtpd on 127.0.0.1:PORT, master(8) in the foreground as our
 * child. The queue directories are made as `post-install create-missing`
 * would, from the package's postfix-files, in milliseconds instead of a
 * second (`postfix start` would add seconds more of checks). AUTH as in the
 * image: Cyrus SASL with the test account in a sasldb that saslpasswd2 makes
 * inside the queue directory, where the chrooted smtpd finds it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SmtpTestError } from '../../harness/errors.ts';
import { fromPackage } from '../../harness/paths.ts';
import { POSTFIX, TEST_DOMAIN } from '../mta.ts';
import { ownedDirs, requireFiles, startNative, systemGroup, systemUser, TLS_CERT, TLS_KEY, type NativeMta, type StartedNativeTarget } from '../native.ts';
import type { TargetStartOptions } from '../types.ts';

const POSTCONF = '/usr/sbin/postconf';
/** Debian's master.cf as shipped (what /etc/postfix/master.cf starts as). */
const MASTER_CF = '/usr/share/postfix/master.cf.dist';
/** The package's list of its files and directories, with owners and modes. */
const POSTFIX_FILES = '/etc/postfix/postfix-files';
const NOBODY = { uid: 65534, gid: 65534 }; // virtual_uid_maps/virtual_gid_maps in main.cf
/** Cyrus SASL's tool (sasl2-bin) that writes the AUTH account into a sasldb. */
const SASLPASSWD2 = '/usr/sbin/saslpasswd2';

export function startPostfixNative(name: string, opts?: TargetStartOptions): Promise<StartedNativeTarget> {
  return startNative(postfixNative, name, opts);
}

let host: { daemonDir: string; version: string } | undefined;

const postfixNative: NativeMta = {
  spec: POSTFIX,

  check() {
    requireFiles('Postfix', [POSTCONF, MASTER_CF, SASLPASSWD2, TLS_CERT, TLS_KEY]);
    if (!host) {
      const r = spawnSync(POSTCONF, ['-dh', 'daemon_directory', 'mail_version'], { encoding: 'utf8' });
      const [daemonDir, version] = r.stdout.trim().split('\n');
      if (r.status !== 0 || !daemonDir || !version) throw new SmtpTestError('E_RUNTIME_MISSING', `postconf -d failed: ${r.stderr}`);
      host = { daemonDir, version };
    }
    requireFiles('Postfix', [path.join(host.daemonDir, 'master'), POSTFIX_FILES]);
    return `Postfix ${host.version} (this host's, private instance)`;
  },

  prepare(dir, port, timeoutS) {
    const etc = path.join(dir, 'etc');
    fs.mkdirSync(etc);
    const params: Record<string, string> = {
      queue_directory: path.join(dir, 'queue'),
      data_directory: path.join(dir, 'data'),
      virtual_mailbox_base: path.join(dir, 'mail'),
      smtpd_tls_cert_file: TLS_CERT,
      smtpd_tls_key_file: TLS_KEY,
      maillog_file: path.join(dir, 'maillog'),
      maillog_file_prefixes: dir,
      inet_interfaces: '127.0.0.1',
      inet_protocols: 'ipv4',
      cyrus_sasl_config_path: path.join(etc, 'sasl'),
    };
    if (timeoutS !== undefined) params.smtpd_timeout = `${timeoutS}s`;
    fs.writeFileSync(path.join(etc, 'main.cf'), setParams(fs.readFileSync(fromPackage('targets', 'postfix', 'main.cf'), 'utf8'), params));

    const master = fs.readFileSync(MASTER_CF, 'utf8');
    const listening = master.replace(/^smtp(\s+inet\s)/m, `127.0.0.1:${port}$1`);
    if (listening === master) throw new SmtpTestError('E_TARGET', `${MASTER_CF} has no "smtp inet" service`);
    fs.writeFileSync(path.join(etc, 'master.cf'), listening);
    // Postfix re-reads a config file until its mtime is in the past (a file
    // written this second may be half written): 1-2 s per start otherwise.
    const past = new Date(Date.now() - 60_000);
    for (const f of ['main.cf', 'master.cf']) fs.utimesSync(path.join(etc, f), past, past);

    ownedDirs(path.join(dir, 'mail'), ['maildir/new', 'maildir/cur', 'maildir/tmp'], NOBODY);
    createQueue(params.queue_directory!, params.data_directory!);
    saslAccount(path.join(etc, 'sasl'), params.queue_directory!);
    return { argv: [path.join(host!.daemonDir, 'master'), '-c', etc, '-d'], maildir: path.join(dir, 'mail', 'maildir') };
  },
};

/**
 * The image's AUTH setup (targets/postfix/setup.sh) in a private instance:
 * Cyrus's smtpd.conf in `confDir`, and the account in `queueDir`/etc/sasldb2,
 * which smtpd, chrooted to the queue directory, opens as /etc/sasldb2.
 */
function saslAccount(confDir: string, queueDir: string): void {
  fs.mkdirSync(confDir);
  fs.writeFileSync(path.join(confDir, 'smtpd.conf'), ['pwcheck_method: auxprop', 'auxprop_plugin: sasldb', 'mech_list: PLAIN LOGIN', 'sasldb_path: /etc/sasldb2', ''].join('\n'));
  const etc = path.join(queueDir, 'etc');
  fs.mkdirSync(etc, { recursive: true });
  const db = path.join(etc, 'sasldb2');
  const { user, password } = POSTFIX.auth!;
  const r = spawnSync(SASLPASSWD2, ['-p', '-c', '-f', db, '-u', TEST_DOMAIN, user], { input: `${password}\n`, encoding: 'utf8' });
  if (r.status !== 0) throw new SmtpTestError('E_TARGET', `saslpasswd2 failed: ${r.stderr || r.error?.message}`);
  fs.chownSync(db, 0, systemGroup('Postfix', 'postfix'));
  fs.chmodSync(db, 0o640);
}

/** Creates the directories postfix-files lists under $queue_directory and $data_directory. */
function createQueue(queueDir: string, dataDir: string): void {
  const postfixUser = systemUser('Postfix', 'postfix');
  const postdrop = systemGroup('Postfix', 'postdrop');
  const ids: Record<string, number> = { root: 0, '-': 0, $mail_owner: postfixUser.uid, $setgid_group: postdrop };
  const entry = /^\$(queue_directory|data_directory)(\/[^:]*)?:d:([^:]*):([^:]*):([0-7]+):/;
  for (const line of fs.readFileSync(POSTFIX_FILES, 'utf8').split('\n')) {
    const m = entry.exec(line);
    if (!m) continue;
    const [, base, sub = '', owner, group, mode] = m;
    const dir = (base === 'queue_directory' ? queueDir : dataDir) + sub;
    const uid = ids[owner!];
    const gid = ids[group!];
    if (uid === undefined || gid === undefined) throw new SmtpTestError('E_TARGET', `${POSTFIX_FILES}: unknown owner in ${line}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.chownSync(dir, uid, gid);
    fs.chmodSync(dir, parseInt(mode!, 8));
  }
}

/** Replaces (or appends) `name = value` lines of a main.cf, continuation lines included. */
export function setParams(mainCf: string, params: Record<string, string>): string {
  const lines = mainCf.split('\n');
  const out: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const name = /^([A-Za-z0-9_]+)\s*=/.exec(lines[i]!)?.[1];
    if (name === undefined || !(name in params)) {
      out.push(lines[i]!);
      continue;
    }
    out.push(`${name} = ${params[name]}`);
    seen.add(name);
    while (i + 1 < lines.length && /^[ \t]+\S/.test(lines[i + 1]!)) i++;
  }
  for (const [name, value] of Object.entries(params)) if (!seen.has(name)) out.push(`${name} = ${value}`);
  return out.join('\n');
}
