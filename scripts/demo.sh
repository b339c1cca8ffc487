#!/bin/sh
# The one-machine failover demo with nothing but Docker and Compose v2 (no Node on the host):
#   sh scripts/demo.sh            # the real OpenClaw gateway (about 20 s per boot)
#   sh scripts/demo.sh --fake     # a tiny fake gateway: the whole demo in well under a minute
# It brings up the project's own compose files as one throwaway project (the primary on a network
# of its own standing in for the tailnet, the standby gateway, the watcher), kills the primary,
# shows the promotion, starts the primary again, shows the demotion, prints the timings, and
# removes everything (down -v), also on Ctrl-C or an error. Gateways run channel-free.
set -eu
cd "$(dirname "$0")/.."

FAKE=0
for arg in "$@"; do
  case "$arg" in
    --fake) FAKE=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "demo: unknown argument $arg (try --fake)" >&2; exit 2 ;;
  esac
done

bold() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'demo failed: %s\n' "$*" >&2; exit 1; }

docker info --format '{{.ServerVersion}}' >/dev/null 2>&1 || die "Docker is not reachable (docker info failed): start Docker, or add yourself to the docker group"
docker compose version >/dev/null 2>&1 || die "Docker Compose v2 is missing (docker compose version failed)"

PROJECT="${OCF_DEMO_PROJECT:-ocf-demo-$$}"
WATCHER_IMAGE="${WATCHER_IMAGE:-openclaw-failover:demo}"
FAKE_IMAGE="${FAKE_GATEWAY_IMAGE:-openclaw-failover-fake-gateway:demo}"
REAL_IMAGE="${OPENCLAW_IMAGE:-ghcr.io/openclaw/openclaw:2026.9.6}"
WATCHER="$PROJECT-watcher"
if [ "$FAKE" = 1 ]; then GATEWAY_IMAGE="$FAKE_IMAGE"; else GATEWAY_IMAGE="$REAL_IMAGE"; fi

# Everything compose reads comes from here, never from a .env a developer may have lying around.
export COMPOSE_PROJECT_NAME="$PROJECT"
export COMPOSE_FILE="docker-compose.yml:compose.standby.yml:scripts/compose.demo.yml"
export WATCHER_CONTAINER_NAME="$WATCHER" WATCHER_IMAGE
export OPENCLAW_IMAGE="$GATEWAY_IMAGE"
export OPENCLAW_GATEWAY_HOST=127.0.0.1 OPENCLAW_GATEWAY_PORT=
export OPENCLAW_PRIMARY_CONFIG_DIR=./config/ci OPENCLAW_STANDBY_CONFIG_DIR=./config/ci
export OPENCLAW_SKIP_CHANNELS=1
export OPENCLAW_GATEWAY_TOKEN="demo-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export PRIMARY_URL=http://openclaw-gateway:18789/healthz
export LOG_FORMAT=pretty
# Production keeps a promoted standby in charge at least 60 s; the demo shows the hold, shorter.
export MIN_PROMOTED="${MIN_PROMOTED:-15}"

compose() { docker compose --project-directory . --env-file /dev/null "$@"; }
# Compose's progress lines only when something fails.
quietly() {
  out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; return 1; }
}

LOGS_PID=
cleanup() {
  status=$?
  trap - EXIT INT TERM
  [ -n "$LOGS_PID" ] && kill "$LOGS_PID" 2>/dev/null || true
  bold "removing the demo project $PROJECT"
  # Every profile, or down would leave the profiled services (all of them) behind.
  COMPOSE_PROFILES=primary,standby compose down -v --remove-orphans --timeout 2 >/dev/null 2>&1 || true
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# In the watcher container: wait for a phase, read the clock, print the summary (scripts/demo-watch.cjs).
in_watcher() { docker exec -i "$WATCHER" node - "$@" < scripts/demo-watch.cjs; }

bold "building the watcher image from the Dockerfile"
docker build -q -t "$WATCHER_IMAGE" . >/dev/null
if [ "$FAKE" = 1 ]; then
  docker build -q -t "$FAKE_IMAGE" test/fixtures/fake-gateway >/dev/null
elif ! docker image inspect "$REAL_IMAGE" >/dev/null 2>&1; then
  bold "pulling $REAL_IMAGE (or run: sh scripts/demo.sh --fake)"
  docker pull "$REAL_IMAGE"
fi
# The socket's group as containers see it (on Docker Desktop it is not the host file's group).
DOCKER_GID=$(docker run --rm --entrypoint node -v /var/run/docker.sock:/var/run/docker.sock "$WATCHER_IMAGE" \
  -e "console.log(require('fs').statSync('/var/run/docker.sock').gid)")
export DOCKER_GID

bold "starting the primary gateway ($GATEWAY_IMAGE) and waiting until it is healthy"
export COMPOSE_PROFILES=primary
quietly compose up -d --no-build --quiet-pull openclaw-gateway
tries=0
until compose exec -T openclaw-gateway node -e "fetch('http://127.0.0.1:18789/healthz').then(r=>r.json()).then(b=>process.exit(b&&b.ok===true?0:1),()=>process.exit(1))" 2>/dev/null; do
  tries=$((tries + 1))
  [ "$tries" -lt 240 ] || die "the primary did not answer /healthz within 120 s"
  sleep 0.5
done

bold "starting the standby side: docker compose --profile standby up -d (watcher + standby gateway)"
export COMPOSE_PROFILES=primary,standby
quietly compose up -d --no-build --quiet-pull
docker logs -f --since 0s "$WATCHER" 2>&1 &
LOGS_PID=$!
in_watcher wait watching 60 >/dev/null
sleep 3

bold "killing the primary: docker kill (the standby should be promoted)"
KILLED_AT=$(in_watcher now)
compose kill openclaw-gateway >/dev/null 2>&1
PROMOTION=$(in_watcher wait promoted 180)
sleep 2

bold "starting the primary again (the standby should be demoted once MIN_PROMOTED=${MIN_PROMOTED}s has passed)"
RESTARTED_AT=$(in_watcher now)
compose start openclaw-gateway >/dev/null 2>&1
DEMOTION=$(in_watcher wait demoted 240)
sleep 1
kill "$LOGS_PID" 2>/dev/null || true
LOGS_PID=

bold "summary"
in_watcher summary "$KILLED_AT" "$RESTARTED_AT" "$PROMOTION" "$DEMOTION"
