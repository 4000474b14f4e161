# loyalty-sync: a small image that runs the CLI on Node 24 (TypeScript runs natively, no build step).
# docker build -t loyalty-sync . && docker run --rm -v $PWD/data:/data --env-file vipps.env loyalty-sync run --source /data/exports

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; no install scripts (ssh2's optional native binding is not needed).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-slim
# tini is PID 1: it forwards SIGTERM to node and reaps zombies, so a Kubernetes stop is a clean stop.
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    LOYALTY_SYNC_STATE=/data/state/loyalty-sync.sqlite \
    LOYALTY_SYNC_REPORT_DIR=/data/reports
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
# State and reports live on a volume; nothing else is written, so a read-only root file system works
# (mount an emptyDir at /tmp for `validate`).
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--max-semi-space-size=8", "--max-old-space-size=64", "/app/src/cli/main.ts"]
CMD ["--help"]
