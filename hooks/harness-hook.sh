#!/usr/bin/env bash
# Portable hook client (used when the native one could not be compiled). Same contract as
# harness-hook.c: forward stdin to the supervisor, print its answer; on any problem exit 2.
# usage: harness-hook.sh HOST PORT PATH TOKEN TIMEOUT_SECONDS
fail() {
  echo "harness: the tool call was blocked because the harness supervisor could not be consulted ($1). Nothing ran. If harness is no longer running, restart the session with \`harness run\`." >&2
  exit 2
}
trap 'fail "hook client error"' ERR
[ $# -eq 5 ] || fail "bad hook command line"
host=$1 port=$2 path=$3 token=$4 timeout=$5
input=$(cat; printf x) || fail "cannot read hook input"
input=${input%x}
{ exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null || fail "supervisor not reachable"
printf 'POST %s HTTP/1.1\r\nHost: %s\r\nX-Harness-Token: %s\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
  "$path" "$host" "$token" "$(printf %s "$input" | LC_ALL=C wc -c | tr -d ' ')" "$input" >&3 || fail "cannot send to supervisor"
IFS= read -r -t "$timeout" status <&3 || fail "supervisor did not answer in time"
case "$status" in "HTTP/1."?" 200"*) ;; *) fail "supervisor refused the request" ;; esac
code=0 verdict= length=
while IFS= read -r -t "$timeout" line <&3; do
  line=${line%$'\r'}
  [ -z "$line" ] && break
  case "${line,,}" in
    x-harness-exit:*) code=${line#*:}; code=${code// /} ;;
    x-harness-verdict:*) verdict=1 ;;
    content-length:*) length=${line#*:}; length=${length// /} ;;
    transfer-encoding:*) fail "unexpected reply encoding" ;;
  esac
done
[ -n "$verdict" ] || fail "reply without a verdict"
[ -n "$length" ] || fail "incomplete supervisor reply"
body=$(cat <&3; printf x) || fail "cannot read supervisor reply"
body=${body%x}
[ "$(printf %s "$body" | LC_ALL=C wc -c | tr -d ' ')" = "$length" ] || fail "incomplete supervisor reply"
if [ "$code" = 0 ]; then printf %s "$body"; else printf %s "$body" >&2; fi
exit "$code"
