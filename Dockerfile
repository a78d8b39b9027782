# LLMChat container image: one binary serving the API and the web UI on port 3001.
#
#   docker build -t llmchat:latest .
#   docker build --build-arg VERSION=1.0.0 --build-arg GIT_COMMIT=$(git rev-parse --short=12 HEAD) -t llmchat:1.0.0 .
#   docker build --target builder -t llmchat:builder .      # the Rust build stage only
#   docker run --rm -p 3001:3001 -e JWT_SECRET=$(openssl rand -hex 32) -v llmchat-data:/app/data llmchat:latest
#
# Stages: `web` (the UI, Vite), `deps` (the dependencies, compiled against stub sources: reused
# until Cargo.toml or Cargo.lock changes), `builder` (cargo build --release of LLMChat itself
# on top of `deps`, so a source change rebuilds only LLMChat), `runtime` (the default:
# Debian slim, the binary, the default config; no shell tools beyond the base image's, no curl).
# The base images are build arguments so that mirrors or locally built bases can stand in.
# See docs/operations.md, "Container image".

ARG NODE_IMAGE=node:20-bookworm-slim
ARG RUST_IMAGE=rust:1-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# ---------------------------------------------------------------------------------------------
FROM ${RUST_IMAGE} AS deps
WORKDIR /src
ENV CARGO_TERM_COLOR=never \
    LLMCHAT_SKIP_WEB_BUILD=1
# Dependencies only, against stub sources: nothing from src/ reaches this stage.
COPY Cargo.toml Cargo.lock build.rs ./
RUN mkdir -p src/bin/llmchat-mock web/dist \
    && echo 'fn main() {}' >src/main.rs \
    && : >src/lib.rs \
    && echo 'fn main() {}' >src/bin/llmchat-mock/main.rs \
    && cargo build --release --locked --bin llmchat \
    && rm -rf src

# ---------------------------------------------------------------------------------------------
FROM deps AS builder
COPY src/ src/
COPY migrations/ migrations/
COPY --from=web /src/web/dist/ web/dist/
# The release's version (`/api/version`, `llmchat version`); empty means the crate's.
ARG VERSION=""
ARG GIT_COMMIT=unknown
# COPY keeps the files' old times; make sure cargo sees the real sources as newer than the stubs.
RUN touch src/main.rs src/lib.rs \
    && LLMCHAT_VERSION="${VERSION}" LLMCHAT_GIT_COMMIT="${GIT_COMMIT}" \
       cargo build --release --locked --bin llmchat \
    && ./target/release/llmchat version

# ---------------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime
ARG VERSION=""
ARG GIT_COMMIT=unknown
ARG BUILD_DATE=""
ARG SOURCE_URL=https://github.com/llmchat/llmchat
# The environment the image runs in unless LLMCHAT_ENV / NODE_ENV / DEPLOYMENT_ENV say
# otherwise (the guide's `--build-arg NODE_ENV=production`).
ARG NODE_ENV=production
LABEL org.opencontainers.image.title="LLMChat" \
      org.opencontainers.image.description="Self-hosted multi-user, multi-agent LLM chat platform (API and web UI)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${GIT_COMMIT}" \
      org.opencontainers.image.created="${BUILD_DATE}" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.licenses="Apache-2.0"
# No ca-certificates package: without a system store LLMChat trusts the Mozilla roots compiled
# into it (the start-up log says tls_roots=bundled). To trust a private CA, mount a bundle at
# /etc/ssl/certs/ca-certificates.crt or set SSL_CERT_FILE (then tls_roots=system).
RUN groupadd --gid 1001 llmchat \
    && useradd --uid 1001 --gid 1001 --home-dir /app --no-create-home --shell /usr/sbin/nologin llmchat \
    && mkdir -p /app/data \
    && chown 1001:1001 /app/data
COPY --from=builder /src/target/release/llmchat /usr/local/bin/llmchat
COPY config/agents.yaml config/deployment.yml /app/config/
COPY config/environments/ /app/config/environments/
WORKDIR /app
ENV LLMCHAT_ENV=${NODE_ENV} \
    HOST=0.0.0.0 \
    PORT=3001
USER 1001:1001
VOLUME ["/app/data"]
EXPOSE 3001
# `llmchat health` asks /api/health over loopback: exit 0 for ok or degraded, 1 otherwise.
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
    CMD ["llmchat", "health", "--timeout", "2s"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["llmchat"]
CMD ["serve"]
