# Elava: compiled JavaScript on Node 24 LTS (.node-version pins the release CI, the demo
# and the bench run on), production dependencies only, running as the unprivileged `node`
# user. Nothing is written to the filesystem at runtime, so the container runs with a
# read-only root filesystem.
ARG NODE_VERSION=24.22.3

# Production dependencies only, installed once and copied into the final image.
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# Compile src/ to dist/ with the dev dependencies (TypeScript).
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
USER node
# /healthz, /readyz and /metrics (--http-port).
EXPOSE 9464
# bin/elava runs dist/ with each command's heap settings (a small young generation and a
# bounded old space for scan and run; docs/operations.md, Sizing). NODE_OPTIONS with
# --max-old-space-size replaces them, e.g. to go with a larger memory limit.
ENTRYPOINT ["bin/elava"]
CMD ["run"]
