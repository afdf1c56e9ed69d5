# syntax=docker/dockerfile:1
# Plenary: the compiled server (dist/server, plain node) and the built client (dist/client).
#   docker build -t plenary .
#   docker run -p 3000:3000 -v plenary-data:/data plenary
# deploy/compose.yaml runs two instances on PostgreSQL + Redis behind nginx (docs/deploy.md).

# ---- build: every dependency, the client (vite) and the server (esbuild) ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- run: production dependencies and the build only, as an unprivileged user ----
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    CLIENT_DIR=/app/dist/client
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The SQLite file lives in /data (unused with DATABASE_URL); the image's `node` user owns it.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# The existing health route; node's fetch, since the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# main.ts stops on SIGTERM after storing every document (docker stop gives it 10 s).
CMD ["node", "--enable-source-maps", "dist/server/main.js"]
