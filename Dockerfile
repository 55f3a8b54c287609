# Elava: compiled JavaScript on the current Node LTS, production dependencies only,
# running as the unprivileged `node` user. Nothing is written to the filesystem at
# runtime, so the container runs with a read-only root filesystem.

# Production dependencies only, installed once and copied into the final image.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/install-deps.sh ./scripts/
RUN bash scripts/install-deps.sh --omit=dev --ignore-scripts

# Compile src/ to dist/ with the dev dependencies (TypeScript).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/install-deps.sh ./scripts/
RUN bash scripts/install-deps.sh --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim
ENV NODE_ENV=production
# A small young generation and a bounded old space: with V8's defaults a scan whose live
# data fits in 32 MiB grows past 200 MiB resident. These keep a million-resource scan
# under 128 MiB and leave an AWS scan's pages room (docs/operations.md, Sizing). Raise the
# old space with the memory limit; bin/elava carries the same flags.
ENV NODE_OPTIONS="--max-old-space-size=80 --max-semi-space-size=2"
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
# /healthz, /readyz and /metrics (--http-port).
EXPOSE 9464
ENTRYPOINT ["node", "--enable-source-maps", "dist/cli/main.js"]
CMD ["run"]
