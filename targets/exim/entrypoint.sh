#!/bin/sh
# Container entrypoint of smtptest/exim. SMTPTEST_SMTPD_TIMEOUT=<seconds>
# shortens smtp_receive_timeout (default 5m) so timeout scenarios run in
# seconds.
set -eu
if [ -n "${SMTPTEST_SMTPD_TIMEOUT:-}" ]; then
  case $SMTPTEST_SMTPD_TIMEOUT in
    *[!0-9]* | 0) echo "SMTPTEST_SMTPD_TIMEOUT must be a positive integer (seconds)" >&2; exit 64 ;;
  esac
  { echo "SMTP_TIMEOUT = ${SMTPTEST_SMTPD_TIMEOUT}s"; cat /etc/exim4/smtptest.conf; } >/etc/exim4/exim4.conf
fi
install -d -o Debian-exim -g Debian-exim /run/exim4
# The listening daemon in the foreground as PID 1 (SIGTERM stops it), with a
# queue runner every 30 minutes as Debian's init script starts it.
exec exim4 -bdf -q30m
