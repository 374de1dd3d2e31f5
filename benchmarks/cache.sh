#!/usr/bin/env bash
# cache-service against Redis itself, in one run (issue 19): GET and PUT of a 100-byte value (keys drawn from 100,000)
# through cache-service's own port and through a gateway in front of it (wrk), beside redis-benchmark GET and SET on
# the cache's own Redis (6380 in the local stack) with the same value size, key space and concurrency. cache-service
# runs as the local stack runs it (./meridian up --detach); the gateway is started here from
# gateway/target/quarkus-app with its production settings and a rate limit high enough never to run dry (the stack's
# own allows a user 100 requests a second). The caller is the stack's admin, whose token the gateway and cache-service
# each verify on every request (signature, expiry; the deny-list and the rate limit in Redis).
# Usage: benchmarks/cache.sh [seconds per run] [connections...] (needs wrk and redis-benchmark). Prints a Markdown table.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_RUN="${1:-10}"
shift || true
CONNECTIONS=("${@:-10 50}")
CACHE=http://127.0.0.1:8084
GATEWAY_PORT=18180
GATEWAY=http://127.0.0.1:$GATEWAY_PORT
REDIS_PORT="${CACHE_REDIS_PORT:-6380}"
WORK="$(mktemp -d)"
JAVA="${JAVA_HOME:?set JAVA_HOME to a JDK 21+}/bin/java"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
command -v redis-benchmark >/dev/null || { echo "redis-benchmark is needed (package redis-tools)" >&2; exit 1; }

QUARKUS_HTTP_PORT=$GATEWAY_PORT GATEWAY_MANAGEMENT_PORT=$((GATEWAY_PORT + 1)) CACHE_SERVICE_URL="$CACHE" \
GATEWAY_RATE_LIMIT_BURST=100000000 GATEWAY_RATE_LIMIT_PER_SECOND=100000000 \
  "$JAVA" ${MERIDIAN_JAVA_OPTS:--Xms256m -Xmx512m} -jar "$ROOT/gateway/target/quarkus-app/quarkus-run.jar" \
  >"$WORK/gateway.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do curl -fs -o /dev/null "http://127.0.0.1:$((GATEWAY_PORT + 1))/q/health/ready" && break; sleep 0.2; done

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
for base in "$CACHE" "$GATEWAY"; do # the JIT warms up
  wrk -t2 -c50 -d15s "${auth[@]}" -s "$WORK/get.lua" "$base" >/dev/null
  wrk -t2 -c50 -d10s "${auth[@]}" -s "$WORK/put.lua" "$base" >/dev/null
done

ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /s$/ && v !~ /ms$/) n *= 1000; printf "%.3f", n }'; }
# service OP CONNECTIONS [BASE URL]: "rps p50 p99"
service() {
  local out threads=2
  out="$(wrk -t$threads -c"$2" -d"${SECONDS_PER_RUN}s" --latency "${auth[@]}" -s "$WORK/$1.lua" "${3:-$CACHE}")"
  if grep -q "Non-2xx" <<<"$out"; then echo "cache-service answered errors:" >&2; echo "$out" >&2; exit 1; fi
  printf '%s %s %s' "$(awk '/^Requests\/sec/ {print $2}' <<<"$out")" \
    "$(ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")" "$(ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
}
# redis TEST CONNECTIONS: "rps p50 p99", as many requests as the service did in the same time, at least 100,000
redis() {
  local line
  line="$(redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -t "$1" -c "$2" -n "$3" -d 100 -r 100000 --csv | tail -1)"
  awk -F'"' '{print $4, $10, $14}' <<<"$line"
}

rows=()
for c in ${CONNECTIONS[@]}; do
  for op in get put; do
    read -r srps sp50 sp99 <<<"$(service "$op" "$c")"
    read -r grps gp50 gp99 <<<"$(service "$op" "$c" "$GATEWAY")"
    test=get; [[ "$op" == put ]] && test=set
    n=$(awk -v r="$srps" -v s="$SECONDS_PER_RUN" 'BEGIN { n = int(r * s); if (n < 100000) n = 100000; print n }')
    read -r rrps rp50 rp99 <<<"$(redis "$test" "$c" "$n")"
    share() { awk -v a="$1" -v b="$rrps" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
    rows+=("| ${op^^} | $c | $rrps | $rp50 | $srps ($(share "$srps")) | $sp50 | $sp99 | $grps ($(share "$grps")) | $gp50 | $gp99 |")
  done
done
curl -fs -o /dev/null -X DELETE -H "Authorization: Bearer $TOKEN" "$CACHE/api/cache/$NS" || true

echo "| operation | connections | redis-benchmark req/s | p50 ms | cache-service req/s (share of Redis) | p50 ms | p99 ms | through the gateway req/s (share) | p50 ms | p99 ms |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
