#!/bin/sh
# Turns a Debian bookworm root into the smtptest/exim image. Runs inside that
# root as root, from its own directory (holding exim.conf and entrypoint.sh):
# chrooted by scripts/build-images, or as a RUN step of
# targets/exim/Containerfile, so both give the same image.
set -eu
here=$(dirname "$0")
export DEBIAN_FRONTEND=noninteractive

apt-get update -qq
apt-get install -y -qq --no-install-recommends exim4-daemon-light openssl >/dev/null

# /etc/exim4/exim4.conf comes first in Debian's CONFIGURE_FILE list, so
# Debian's generated config (update-exim4.conf) is not used. The entrypoint
# rewrites it from smtptest.conf when a timeout is given.
install -m 0644 "$here/exim.conf" /etc/exim4/smtptest.conf
install -m 0644 "$here/exim.conf" /etc/exim4/exim4.conf
install -m 0755 "$here/entrypoint.sh" /usr/local/sbin/smtptest-entrypoint

# Self-signed certificate for STARTTLS, made once per image build; Exim reads
# the key as Debian-exim.
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=mx.test.example \
  -keyout /etc/exim4/smtptest-tls.key -out /etc/exim4/smtptest-tls.pem 2>/dev/null
chown root:Debian-exim /etc/exim4/smtptest-tls.key
chmod 0640 /etc/exim4/smtptest-tls.key

# The maildir the mailbox reads back (MAILDIR in exim.conf).
mkdir -p /var/mail/smtptest/maildir/new /var/mail/smtptest/maildir/cur /var/mail/smtptest/maildir/tmp
chown -R nobody:nogroup /var/mail/smtptest/maildir

exim4 -bV >/dev/null
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/debconf/*-old /var/log/apt /var/log/dpkg.log
