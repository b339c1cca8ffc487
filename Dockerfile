# The watcher image: a small Node 24 process with git and ssh for the workspace sync.
# Official base image name; on machines without a registry a local stand-in answers to it.

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-fund --no-audit --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

FROM node:24-bookworm-slim AS runtime-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-fund --no-audit --ignore-scripts && npm cache clean --force

FROM node:24-bookworm-slim
# git + ssh for the workspace sync (the slim image lacks them; skip the install when present).
RUN if ! command -v git >/dev/null || ! command -v ssh >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
      && rm -rf /var/lib/apt/lists/*; \
    fi
ENV NODE_ENV=production
# Two malloc arenas stop glibc from keeping a half-empty arena per thread (resident memory).
ENV MALLOC_ARENA_MAX=2
# getaddrinfo cannot be cancelled and a name that does not resolve on an internal network takes
# 10 s to fail: more threads than the default 4, beside one lookup per name (src/net/single-flight-lookup.ts).
ENV UV_THREADPOOL_SIZE=8
WORKDIR /app
COPY package.json ./
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# The state and workspace mount points (and /openclaw-state, where the push service mounts the
# primary gateway's state volume) belong to uid 1000 (the gateway's user too), so named
# volumes start out writable by both and files git writes stay the gateway's.
RUN chmod 0755 dist/cli.js && ln -s /app/dist/cli.js /usr/local/bin/openclaw-failover \
 && mkdir -p /var/lib/openclaw-failover /var/lib/openclaw-failover-prepare /workspace /openclaw-state \
 && chown node:node /var/lib/openclaw-failover /var/lib/openclaw-failover-prepare /workspace /openclaw-state
USER node
EXPOSE 8080
# Unhealthy within ~25 s when the watcher cannot work (Docker out of reach, probe loop stuck): two
# failed checks 5 s apart after a 15 s start period that covers a slow boot on a loaded host. The
# check is dist/healthcheck.js, not the CLI: it loads in a fraction of the time (see its comment).
HEALTHCHECK --interval=5s --timeout=8s --start-period=15s --retries=2 CMD ["node", "/app/dist/healthcheck.js"]
# The watcher is a small, long-lived, mostly idle process: trade a little peak speed for memory.
# --optimize-for-size makes V8 favour small code and heap, and a 1 MiB young-generation
# semi-space (default up to 16 MiB) scavenges garbage before it piles up as resident memory.
# (Node refuses these flags in NODE_OPTIONS, hence the explicit node; measured with bench/run.ts.)
ENTRYPOINT ["node", "--optimize-for-size", "--max-semi-space-size=1", "/usr/local/bin/openclaw-failover"]
CMD ["run"]
