# rdp-triage: the chat bot (`serve`) or a zone probe worker (`worker --zone <name>`).
#   docker build -t rdp-triage .
#   docker run --env-file bot.env -v /etc/rdp-triage:/etc/rdp-triage:ro -p 3000:3000 -p 9464:9464 rdp-triage
#   docker run --env-file worker.env -v /etc/rdp-triage:/etc/rdp-triage:ro rdp-triage worker --zone eu
# The build stage compiles src/ to dist/ (`npm ci` runs `prepare` = `npm run build`) and
# better-sqlite3's native addon, then drops the dev dependencies; its toolchain stays out of the
# final image, which runs plain JavaScript.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts/copy-data.mjs scripts/compile-data.ts ./scripts/
COPY src ./src
# Install scripts as allowed in package.json (better-sqlite3, esbuild, ssh2); then production only.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    RDP_TRIAGE_CONFIG=/etc/rdp-triage/config.yaml \
    HEALTH_HOST=0.0.0.0 \
    HEALTH_PORT=9464 \
    LOG_LEVEL=info
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY --from=deps /app/dist ./dist
# The image's own user (uid 1000 in the node image), never root. The audit database
# (store.path) belongs on a volume such as /var/lib/rdp-triage.
RUN mkdir -p /var/lib/rdp-triage && chown node:node /var/lib/rdp-triage
USER node
VOLUME ["/var/lib/rdp-triage"]
# 3000: Slack HTTP receiver (SLACK_PORT); 3978: Teams (TEAMS_PORT); 9464: /healthz /readyz /metrics.
EXPOSE 3000 3978 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM reaches node directly (exec form): running triages finish within ops.shutdownGraceMs.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/rdp-triage.js"]
CMD ["serve"]
