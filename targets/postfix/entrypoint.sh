#!/bin/sh
# Container entrypoint of smtptest/postfix. SMTPTEST_SMTPD_TIMEOUT=<seconds>
# shortens smtpd_timeout (default 300 s) so timeout scenarios run in seconds.
set -eu
if [ -n "${SMTPTEST_SMTPD_TIMEOUT:-}" ]; then
  case $SMTPTEST_SMTPD_TIMEOUT in
    *[!0-9]* | 0) echo "SMTPTEST_SMTPD_TIMEOUT must be a positive integer (seconds)" >&2; exit 64 ;;
  esac
  postconf -e "smtpd_timeout = ${SMTPTEST_SMTPD_TIMEOUT}s"
  # Postfix re-reads a config file until its mtime is in the past (it could
  # be half written): backdating saves 1-2 s per start.
  touch -d '1 minute ago' /etc/postfix/main.cf
fi
# master(8) in the foreground as PID 1: SIGTERM stops Postfix.
exec postfix start-fg
