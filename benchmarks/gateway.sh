#!/usr/bin/env bash
# The gateway against the reverse proxies operators know, on the same machine and in the same run (issue 19). One
# upstream (benchmarks/GatewayBenchUpstream.java: one event loop, a small JSON answer, and like a real server it
# closes a kept-alive connection after 1,000 requests) is measured with wrk directly, through NGINX and HAProxy
# (Debian's nginx-light and haproxy, installed when missing, configured by benchmarks/proxies/), through the gateway on
# a public route (rate limit taken in Redis) and through the gateway with a JWT (verified; rate limit and deny-list in
# one Redis call). The gateway runs from gateway/target/quarkus-app with its production settings, except that the
# cache route points at the upstream (which also serves the JWKS) and the rate limit is high enough never to run dry.
# Each round measures every path at 1, 50 and 200 connections, the paths alternated; rounds repeat.
# Usage: benchmarks/gateway.sh [seconds per run, 10] [rounds, 2] (needs Redis on 127.0.0.1:6379 and a built gateway;
# ./meridian bench gateway builds the classpath). Prints one line per run, then a Markdown table with the shares of
# NGINX's throughput and the latency each proxy adds to the direct path.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_RUN="${1:-10}"
ROUNDS="${2:-2}"
CONNECTIONS="${GATEWAY_BENCH_CONNECTIONS:-1 50 200}"
UPSTREAM_PORT=18090
GATEWAY_PORT=18080
NGINX_PORT=18070
HAPROXY_PORT=18060
WORK="$(mktemp -d)"
JAVA="${JAVA_HOME:?set JAVA_HOME to a JDK 21+}/bin/java"

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v haproxy >/dev/null || [[ -x /usr/sbin/haproxy ]] || missing+=(haproxy)
if (( ${#missing[@]} )); then
  echo "installing ${missing[*]} (Debian packages)" >&2
  sudo_cmd=(); (( EUID == 0 )) || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}" >/dev/null \
    || { "${sudo_cmd[@]}" apt-get update -q >/dev/null && "${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}" >/dev/null; }
fi
PATH="$PATH:/usr/sbin"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  mkdir -p "$ROOT/.run/logs" && cp "$WORK/gateway.log" "$ROOT/.run/logs/gateway-bench.log" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$JAVA" -cp "$(<"$ROOT/.run/bench.classpath")" "$ROOT/benchmarks/GatewayBenchUpstream.java" "$UPSTREAM_PORT" \
  "$WORK/token" "${GATEWAY_BENCH_REQUESTS_PER_CONNECTION:-1000}" >"$WORK/upstream.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q ready "$WORK/upstream.log" 2>/dev/null && break; sleep 0.2; done

for proxy in nginx haproxy; do
  file=$([[ $proxy == nginx ]] && echo nginx.conf || echo haproxy.cfg)
  port=$([[ $proxy == nginx ]] && echo $NGINX_PORT || echo $HAPROXY_PORT)
  sed -e "s|@WORK@|$WORK|g" -e "s|@PORT@|$port|g" -e "s|@UPSTREAM_PORT@|$UPSTREAM_PORT|g" \
    "$ROOT/benchmarks/proxies/$file" >"$WORK/$file"
done
nginx -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" >"$WORK/nginx.log" 2>&1 &
pids+=($!)
haproxy -f "$WORK/haproxy.cfg" -db >"$WORK/haproxy.log" 2>&1 &
pids+=($!)

QUARKUS_HTTP_PORT=$GATEWAY_PORT GATEWAY_MANAGEMENT_PORT=$((GATEWAY_PORT + 1)) CACHE_SERVICE_URL="http://127.0.0.1:$UPSTREAM_PORT" \
MERIDIAN_JWKS_URL="http://127.0.0.1:$UPSTREAM_PORT/jwks.json" \
MERIDIAN_GATEWAY_ROUTES_CACHE_PUBLIC_PATHS="/api/cache/public/*" \
GATEWAY_RATE_LIMIT_BURST=100000000 GATEWAY_RATE_LIMIT_PER_SECOND=100000000 \
  "$JAVA" ${MERIDIAN_JAVA_OPTS:--Xms256m -Xmx512m} ${GATEWAY_BENCH_JAVA_OPTS:-} \
  -jar "$ROOT/gateway/target/quarkus-app/quarkus-run.jar" >"$WORK/gateway.log" 2>&1 &
pids+=($!)
GATEWAY_PID=$!
for _ in $(seq 1 150); do curl -fs -o /dev/null "http://127.0.0.1:$((GATEWAY_PORT + 1))/q/health/ready" && break; sleep 0.2; done
TOKEN="$(<"$WORK/token")"
curl -fs -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$GATEWAY_PORT/api/cache/private/x" \
  || { echo "the gateway refused the benchmark token" >&2; tail -20 "$WORK/gateway.log" >&2; exit 1; }
for port in $NGINX_PORT $HAPROXY_PORT; do
  curl -fs -o /dev/null "http://127.0.0.1:$port/api/cache/public/x" || { echo "the proxy on $port does not answer" >&2; exit 1; }
done
echo "gateway pid $GATEWAY_PID" >&2

declare -A URL=(
  [direct]="http://127.0.0.1:$UPSTREAM_PORT/api/cache/public/x"
  [nginx]="http://127.0.0.1:$NGINX_PORT/api/cache/public/x"
  [haproxy]="http://127.0.0.1:$HAPROXY_PORT/api/cache/public/x"
  [gateway]="http://127.0.0.1:$GATEWAY_PORT/api/cache/public/x"
  [gateway-jwt]="http://127.0.0.1:$GATEWAY_PORT/api/cache/private/x"
)
PATHS=(direct nginx haproxy gateway gateway-jwt)

# wrk prints 512.00us, 1.20ms or 1.02s
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /s$/ && v !~ /ms$/) n *= 1000; printf "%.3f", n }'; }
# run NAME CONNECTIONS: prints "NAME c=N rps p50 p99 failures" (latencies in ms; failures: non-2xx answers and
# socket errors)
run() {
  local name="$1" connections="$2" out threads=2 header=()
  (( connections < 2 )) && threads=1
  [[ $name == gateway-jwt ]] && header=(-H "Authorization: Bearer $TOKEN")
  wrk -t$threads -c"$connections" -d2s "${header[@]}" "${URL[$name]}" >/dev/null # settle at this concurrency
  out="$(wrk -t$threads -c"$connections" -d"${SECONDS_PER_RUN}s" --latency "${header[@]}" "${URL[$name]}")"
  local failures
  failures="$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' <<<"$out")"
  printf '%s c=%s %s %s %s %s\n' "$name" "$connections" "$(awk '/^Requests\/sec/ {print $2}' <<<"$out")" \
    "$(ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")" "$(ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")" "$failures"
}

# The JIT needs a while, and every proxy its connections: warm each path up before measuring anything.
for name in "${PATHS[@]}"; do
  header=(); [[ $name == gateway-jwt ]] && header=(-H "Authorization: Bearer $TOKEN")
  wrk -t2 -c50 -d"$([[ $name == gateway* ]] && echo 12 || echo 3)s" "${header[@]}" "${URL[$name]}" >/dev/null
done

results=()
for round in $(seq 1 "$ROUNDS"); do
  for c in $CONNECTIONS; do
    for name in "${PATHS[@]}"; do
      line="$(run "$name" "$c")"
      echo "round $round: $line" >&2
      results+=("$line")
    done
  done
done
grep -h "connections closed" "$WORK/upstream.log" | tail -1 >&2 || true
echo
echo "| connections | path | req/s (each round) | share of NGINX | p50 ms | added p50 | p99 ms | non-2xx and errors |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${results[@]}" | awk -v conns="$CONNECTIONS" '
  { name = $1; c = substr($2, 3); k = name SUBSEP c; n[k]++
    rps[k, n[k]] = $3; p50[k] += $4; p99[k] += $5; fail[k] += $6 }
  END {
    count = split(conns, order, " "); split("direct nginx haproxy gateway gateway-jwt", names, " ")
    for (i = 1; i <= count; i++) { c = order[i]
      d = "direct" SUBSEP c; g = "nginx" SUBSEP c
      for (j = 1; j <= 5; j++) { k = names[j] SUBSEP c; if (!(k in n)) continue
        each = ""; share = ""; lo = 1e9; hi = 0
        for (r = 1; r <= n[k]; r++) {
          each = each (r > 1 ? " / " : "") sprintf("%.0f", rps[k, r])
          s = 100 * rps[k, r] / rps[g, r]; if (s < lo) lo = s; if (s > hi) hi = s }
        share = (names[j] == "nginx") ? "100%" : !n[g] ? "" : sprintf("%.0f", lo) == sprintf("%.0f", hi) \
          ? sprintf("%.0f%%", lo) : sprintf("%.0f-%.0f%%", lo, hi)
        printf "| %s | %s | %s | %s | %.3f | %+.3f | %.3f | %d |\n", c, names[j], each, share,
          p50[k] / n[k], p50[k] / n[k] - p50[d] / n[d], p99[k] / n[k], fail[k] } } }'
