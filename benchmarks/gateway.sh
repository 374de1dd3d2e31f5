#!/usr/bin/env bash
# Gateway overhead: the same upstream endpoint measured directly and through the gateway with wrk, at 1 (latency
# without queueing), 50 and 200 connections, on a public path (no token) and a protected one (JWT verified, deny-list checked). The gateway runs
# from gateway/target/quarkus-app with its production settings, except that one route (cache) points at a
# one-event-loop stand-in upstream that also serves the JWKS, and the default rate limit is raised so that the
# buckets are taken (one Redis script call per request) but never run dry.
# Usage: benchmarks/gateway.sh [seconds per run] (needs wrk, Redis on 127.0.0.1:6379, a built gateway; ./meridian
# bench gateway builds the classpath). Prints one line per run and a summary table in Markdown.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_RUN="${1:-10}"
UPSTREAM_PORT=18090
GATEWAY_PORT=18080
WORK="$(mktemp -d)"
JAVA="${JAVA_HOME:?set JAVA_HOME to a JDK 21+}/bin/java"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  mkdir -p "$ROOT/.run/logs" && cp "$WORK/gateway.log" "$ROOT/.run/logs/gateway-bench.log" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$JAVA" -cp "$(<"$ROOT/.run/bench.classpath")" "$ROOT/benchmarks/GatewayBenchUpstream.java" "$UPSTREAM_PORT" \
  "$WORK/token" >"$WORK/upstream.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q ready "$WORK/upstream.log" 2>/dev/null && break; sleep 0.2; done

QUARKUS_HTTP_PORT=$GATEWAY_PORT GATEWAY_MANAGEMENT_PORT=$((GATEWAY_PORT + 1)) CACHE_SERVICE_URL="http://127.0.0.1:$UPSTREAM_PORT" \
MERIDIAN_JWKS_URL="http://127.0.0.1:$UPSTREAM_PORT/jwks.json" \
MERIDIAN_GATEWAY_ROUTES_CACHE_PUBLIC_PATHS="/api/cache/public/*" \
GATEWAY_RATE_LIMIT_BURST=100000000 GATEWAY_RATE_LIMIT_PER_SECOND=100000000 \
  "$JAVA" ${MERIDIAN_JAVA_OPTS:--Xms256m -Xmx512m} -jar "$ROOT/gateway/target/quarkus-app/quarkus-run.jar" \
  >"$WORK/gateway.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do curl -fs -o /dev/null "http://127.0.0.1:$((GATEWAY_PORT + 1))/q/health/ready" && break; sleep 0.2; done
TOKEN="$(<"$WORK/token")"
curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$GATEWAY_PORT/api/cache/private/x" \
  || { echo "the gateway refused the benchmark token" >&2; tail -20 "$WORK/gateway.log" >&2; exit 1; }

# run NAME URL CONNECTIONS [header]: prints "NAME c=N rps p50 p99" (latencies in ms)
run() {
  local name="$1" url="$2" connections="$3" out threads=2
  shift 3
  (( connections < 2 )) && threads=1
  wrk -t$threads -c"$connections" -d3s "$@" "$url" >/dev/null # settle at this concurrency
  out="$(wrk -t$threads -c"$connections" -d"${SECONDS_PER_RUN}s" --latency "$@" "$url")"
  local rps p50 p99
  rps="$(awk '/^Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  printf '%s c=%s %s %s %s\n' "$name" "$connections" "$rps" "$(ms "$p50")" "$(ms "$p99")"
}
# wrk prints 512.00us, 1.20ms or 1.02s
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /s$/ && v !~ /ms$/) n *= 1000; printf "%.3f", n }'; }

# The JIT needs a while: warm both paths up before measuring anything.
wrk -t2 -c50 -d15s "http://127.0.0.1:$GATEWAY_PORT/api/cache/public/x" >/dev/null
wrk -t2 -c50 -d10s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$GATEWAY_PORT/api/cache/private/x" >/dev/null

results=()
for c in ${GATEWAY_BENCH_CONNECTIONS:-1 50 200}; do
  results+=("$(run direct "http://127.0.0.1:$UPSTREAM_PORT/api/cache/public/x" "$c")")
  results+=("$(run gateway "http://127.0.0.1:$GATEWAY_PORT/api/cache/public/x" "$c")")
  results+=("$(run gateway-jwt "http://127.0.0.1:$GATEWAY_PORT/api/cache/private/x" "$c" -H "Authorization: Bearer $TOKEN")")
done
# A real service behind the same gateway, when the stack runs (./meridian up --detach): auth-service's JWKS, a
# Quarkus REST endpoint, directly on 8081 and through the benchmark gateway's auth route.
if curl -fs -o /dev/null http://127.0.0.1:8081/.well-known/jwks.json; then
  wrk -t2 -c50 -d10s "http://127.0.0.1:$GATEWAY_PORT/.well-known/jwks.json" >/dev/null
  for c in ${GATEWAY_BENCH_CONNECTIONS:-1 50 200}; do
    results+=("$(run auth-direct "http://127.0.0.1:8081/.well-known/jwks.json" "$c")")
    results+=("$(run auth-gateway "http://127.0.0.1:$GATEWAY_PORT/.well-known/jwks.json" "$c")")
  done
fi
printf '%s\n' "${results[@]}"
echo
echo "| connections | path | req/s | share of direct | p50 ms | added p50 | p99 ms | added p99 |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${results[@]}" | awk '
  { name = $1; c = substr($2, 3); rps[name, c] = $3; p50[name, c] = $4; p99[name, c] = $5; cs[c] = 1 }
  END {
    count = split("1 50 200", order, " ")
    for (i = 1; i <= count; i++) { c = order[i]; if (!((c) in cs)) continue
      split("direct gateway gateway-jwt auth-direct auth-gateway", names, " ")
      for (j = 1; j <= 5; j++) { n = names[j]; base = (n ~ /^auth/) ? "auth-direct" : "direct"
        if (!((n, c) in rps)) continue
        printf "| %s | %s | %.0f | %.0f%% | %.3f | %+.3f | %.3f | %+.3f |\n", c, n, rps[n, c], 100 * rps[n, c] / rps[base, c],
          p50[n, c], p50[n, c] - p50[base, c], p99[n, c], p99[n, c] - p99[base, c] } } }'
