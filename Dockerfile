# Image for the Reelflow worker and API (docker-compose.temporal.yml runs both from it).
FROM node:20-bookworm-slim

# ffmpeg/ffprobe render, espeak-ng narrates without a key, DejaVu is the title font.
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg espeak-ng fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so that a source change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY --chown=node:node . .
RUN mkdir -p /media && chown node:node /media

ENV NODE_ENV=production \
    MEDIA_ROOT=/media
USER node

# tsx directly rather than `npx tsx`: npx does not pass SIGTERM on, and the worker must hear it
# to finish its running activities before `docker compose stop` kills it.
CMD ["./node_modules/.bin/tsx", "src/worker.ts"]
