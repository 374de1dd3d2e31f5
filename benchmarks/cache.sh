#!/usr/bin/env bash
# cache-service against Redis itself: GET and PUT of a 100-byte value through cache-service's REST API (wrk, keys
# drawn from 100,000) and redis-benchmark GET and SET on the same Redis with the same value size, key space and
# concurrency. cache-service runs as the local stack runs it (./meridian up --detach); the caller is the stack's
# admin, whose token cache-service verifies on every request (signature, expiry, deny-list) like any caller's.
# Usage: benchmarks/cache.sh [seconds per run] [connections...] (needs wrk and redis-benchmark). Prints a Markdown table.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_RUN="${1:-10}"
shift || true
CONNECTIONS=("${@:-10 50}")
CACHE=http://127.0.0.1:8084
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
command -v redis-benchmark >/dev/null || { echo "redis-benchmark is needed (package redis-tools)" >&2; exit 1; }

password="$(<"$ROOT/.run/secrets/admin-password")"
TOKEN="$(curl -fs -H 'Content-Type: application/json' \
  -d "{\"email\":\"admin@meridian.local\",\"password\":\"$password\"}" http://127.0.0.1:8081/api/auth/login \
  | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')"
[[ -n "$TOKEN" ]] || { echo "could not sign in as the stack's admin" >&2; exit 1; }
NS="bench-$$"
VALUE="$(head -c 100 /dev/zero | tr '\0' 'v')"

# Fill the key space first (100 bulk writes of 1,000), so that GETs hit like redis-benchmark's, which reads what its
# SET run wrote.
for call in $(seq 0 99); do
  awk -v c="$call" -v v="$VALUE" 'BEGIN { printf "{\"entries\":["; for (i = 0; i < 1000; i++) printf "%s{\"key\":\"k%d\",\"value\":\"%s\"}", (i ? "," : ""), c * 1000 + i, v; print "]}" }' \
    >"$WORK/bulk.json"
  curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    --data-binary @"$WORK/bulk.json" "$CACHE/api/cache/$NS/bulk-put" || { echo "could not fill $NS" >&2; exit 1; }
done
cat >"$WORK/put.lua" <<LUA
request = function()
  return wrk.format("PUT", "/api/cache/$NS/k" .. math.random(0, 99999), nil, "$VALUE")
end
LUA
cat >"$WORK/get.lua" <<LUA
request = function()
  return wrk.format("GET", "/api/cache/$NS/k" .. math.random(0, 99999))
end
LUA
auth=(-H "Authorization: Bearer $TOKEN" -H "Content-Type: text/plain")
wrk -t2 -c50 -d15s "${auth[@]}" -s "$WORK/get.lua" "$CACHE" >/dev/null # the JIT warms up
wrk -t2 -c50 -d10s "${auth[@]}" -s "$WORK/put.lua" "$CACHE" >/dev/null

ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /s$/ && v !~ /ms$/) n *= 1000; printf "%.3f", n }'; }
# service OP CONNECTIONS: "rps p50 p99"
service() {
  local out threads=2
  out="$(wrk -t$threads -c"$2" -d"${SECONDS_PER_RUN}s" --latency "${auth[@]}" -s "$WORK/$1.lua" "$CACHE")"
  if grep -q "Non-2xx" <<<"$out"; then echo "cache-service answered errors:" >&2; echo "$out" >&2; exit 1; fi
  printf '%s %s %s' "$(awk '/^Requests\/sec/ {print $2}' <<<"$out")" \
    "$(ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")" "$(ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
}
# redis TEST CONNECTIONS: "rps p50 p99", as many requests as the service did in the same time, at least 100,000
redis() {
  local line
  line="$(redis-benchmark -h 127.0.0.1 -p 6379 -t "$1" -c "$2" -n "$3" -d 100 -r 100000 --csv | tail -1)"
  awk -F'"' '{print $4, $10, $14}' <<<"$line"
}

rows=()
for c in ${CONNECTIONS[@]}; do
  for op in get put; do
    read -r srps sp50 sp99 <<<"$(service "$op" "$c")"
    test=get; [[ "$op" == put ]] && test=set
    n=$(awk -v r="$srps" -v s="$SECONDS_PER_RUN" 'BEGIN { n = int(r * s); if (n < 100000) n = 100000; print n }')
    read -r rrps rp50 rp99 <<<"$(redis "$test" "$c" "$n")"
    rows+=("| ${op^^} | $c | $srps | $sp50 | $sp99 | $rrps | $rp50 | $rp99 | $(awk -v a="$srps" -v b="$rrps" 'BEGIN { printf "%.0f%%", 100 * a / b }') |")
  done
done
curl -fs -o /dev/null -X DELETE -H "Authorization: Bearer $TOKEN" "$CACHE/api/cache/$NS" || true

echo "| operation | connections | cache-service req/s | p50 ms | p99 ms | redis-benchmark req/s | p50 ms | p99 ms | service / Redis |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
