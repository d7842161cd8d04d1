#!/bin/sh
# Turns a Debian bookworm root into the smtptest/postfix image. Runs inside
# that root as root, from its own directory (holding main.cf and
# entrypoint.sh): chrooted by scripts/build-images, or as a RUN step of
# targets/postfix/Containerfile, so both give the same image.
set -eu
here=$(dirname "$0")
export DEBIAN_FRONTEND=noninteractive

# Debian's "No configuration": the package installs no main.cf; ours follows.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends postfix openssl libsasl2-modules sasl2-bin >/dev/null

install -m 0644 "$here/main.cf" /etc/postfix/main.cf
install -m 0755 "$here/entrypoint.sh" /usr/local/sbin/smtptest-entrypoint

# Self-signed certificate for STARTTLS, made once per image build.
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=mx.test.example \
  -keyout /etc/postfix/smtptest-tls.key -out /etc/postfix/smtptest-tls.pem 2>/dev/null
chmod 0600 /etc/postfix/smtptest-tls.key

# AUTH (RFC 4954) through Cyrus SASL: PLAIN and LOGIN against one account,
# smtptest/smtptest (the account targets/mta.ts declares), in a sasldb.
# smtpd runs chrooted in /var/spool/postfix (Debian's master.cf), so the
# database is there; the configuration is read before the chroot.
install -d -m 0755 /etc/postfix/sasl /var/spool/postfix/etc
printf '%s\n' 'pwcheck_method: auxprop' 'auxprop_plugin: sasldb' 'mech_list: PLAIN LOGIN' 'sasldb_path: /etc/sasldb2' \
  >/etc/postfix/sasl/smtpd.conf
echo smtptest | saslpasswd2 -p -c -f /var/spool/postfix/etc/sasldb2 -u test.example smtptest
chown root:postfix /var/spool/postfix/etc/sasldb2
chmod 0640 /var/spool/postfix/etc/sasldb2

# The maildir the mailbox reads back (virtual_mailbox_base + "maildir/").
mkdir -p /var/mail/smtptest/maildir/new /var/mail/smtptest/maildir/cur /var/mail/smtptest/maildir/tmp
chown -R 65534:65534 /var/mail/smtptest/maildir

postfix check
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/debconf/*-old /var/log/apt /var/log/dpkg.log
