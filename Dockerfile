# gatehouse as a container: the single executable (dist/gatehouse, a Node SEA) on a small
# glibc image. Targets:
#   runtime (the default, last stage): builds the executable from source on Node 20.
#   prebuilt: packages a dist/gatehouse built beforehand with `npm run build:binary` (Linux
#             x64). CI uses it: there, no registry gives a Node 20 image, and npm inside a
#             container does not trust the certificate the network presents for the registry.
# Build:  docker build -t gatehouse .        (or: --target prebuilt, after npm run build:binary)
ARG NODE_IMAGE=node:20-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY config ./config
COPY scripts ./scripts
COPY src ./src
RUN npm run build:binary

# What both targets share: a non-root user, the settings a container needs, the health check.
FROM ${RUNTIME_IMAGE} AS base
# The argon2 addon inside the executable is written here and loaded from it at start
# (GATEHOUSE_NATIVE_DIR): it must stay writable by the user and allow executing files, so a
# tmpfs mounted here needs the `exec` option (Docker mounts tmpfs noexec by default).
RUN groupadd --system --gid 10001 gatehouse \
 && useradd --system --uid 10001 --gid gatehouse --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin gatehouse \
 && install -d -o gatehouse -g gatehouse -m 0700 /var/lib/gatehouse
ENV HOST=0.0.0.0 \
    PORT=8080 \
    GATEHOUSE_NATIVE_DIR=/var/lib/gatehouse
EXPOSE 8080
# Numeric, so that orchestrators can verify runAsNonRoot.
USER 10001:10001
# No shell or curl needed: the executable asks its own /readyz.
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/gatehouse", "healthcheck"]
# gatehouse is PID 1 and handles SIGTERM itself: it stops accepting, finishes requests in
# flight, closes the store and exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/gatehouse"]
CMD ["serve"]

FROM base AS prebuilt
COPY dist/gatehouse /usr/local/bin/gatehouse

FROM base AS runtime
COPY --from=build /src/dist/gatehouse /usr/local/bin/gatehouse
