# loyalty-sync: a small image that runs the compiled CLI (dist/, the same output as the npm package) on Node 24.
# docker build -t loyalty-sync . && docker run --rm -v $PWD/data:/data --env-file vipps.env loyalty-sync run --source /data/exports

# Compile the TypeScript sources to dist/ (tsc, as `npm pack` does). No install scripts: the image's own
# Node 24 runs tsc, the `node` package's binary is not needed.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
RUN npm ci --ignore-scripts --no-audit --no-fund && node node_modules/typescript/bin/tsc -p src/tsconfig.build.json

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
COPY --from=build /app/dist ./dist
# State and reports live on a volume; nothing else is written, so a read-only root file system works
# (mount an emptyDir at /tmp for `validate`).
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--max-semi-space-size=8", "--max-old-space-size=64", "--no-allocation-site-pretenuring", "/app/dist/cli/main.js"]
CMD ["--help"]
