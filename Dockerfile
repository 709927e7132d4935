# Image for the Reelflow worker and API (docker-compose.temporal.yml runs both from it).
# The build stage compiles the TypeScript and prebuilds the workflow bundle with the dev
# dependencies; the runtime stage holds only production dependencies, the compiled code and the
# media tools, and runs it as the unprivileged `node` user, who cannot change any of it.
# The Node version is the one `npm run setup` pins and the tests run on (scripts/lib/node-runtime.cjs).
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first, so that a source change does not reinstall them. npm ci refuses a lockfile
# that lacks other platforms' optional binaries (what a registry without them yields); npm install
# --no-save then installs the same locked versions, as `npm run setup` does.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund || npm install --no-save --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.ts ./scripts/
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
# ffmpeg/ffprobe render, espeak-ng narrates without a key, DejaVu is the title font.
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg espeak-ng fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production \
    MEDIA_ROOT=/media
COPY package.json package-lock.json ./
RUN (npm ci --omit=dev --no-audit --no-fund || npm install --no-save --omit=dev --no-audit --no-fund) \
  && npm cache clean --force
# Owned by root and not writable by `node`: a compromised process cannot rewrite the code it runs.
COPY --from=build /app/dist ./dist
RUN mkdir -p /media && chown node:node /media
USER node

# The compiled worker with the prebuilt dist/workflow-bundle.js; the API runs from the same image
# with `node dist/src/api/main.js`. node directly, not npm or npx, which do not pass SIGTERM on:
# the worker must hear it to finish its running activities before `docker compose stop` kills it.
CMD ["node", "dist/src/worker.js"]
