# syntax=docker/dockerfile:1
# The governor's image (deploy/kubernetes/daemonset.yaml runs it). Two stages:
#   build    compiles the native addon (Rust, release) and the TypeScript layer from this
#            checkout, then packs @gamesa/core and its platform package the way a release
#            publishes them (as __test__/packaging.test.ts does);
#   runtime  a slim Node image with nothing but the two packages installed globally, so
#            `gamesa` is on the PATH. No compiler, no sources.
# Build: docker build -t ghcr.io/gamesa/core:0.1.0 .   (linux/amd64: the platform package is
# linux-x64-gnu; the release build of the addon takes a while: LTO).

ARG NODE_VERSION=20.19.4
ARG RUST_VERSION=1.95.0

FROM node:${NODE_VERSION}-bookworm AS build
ARG RUST_VERSION
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential pkg-config ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
ENV RUSTUP_HOME=/opt/rustup CARGO_HOME=/opt/cargo PATH=/opt/cargo/bin:$PATH
RUN curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
  | sh -s -- -y --profile minimal --default-toolchain "${RUST_VERSION}"
WORKDIR /src
COPY . .
# npm ci runs `prepare`: the addon in release mode (cargo is here), then tsc to dist/.
RUN npm ci --no-audit --no-fund
# The platform package, made as the release job makes it; then both tarballs.
RUN mkdir -p /out /tmp/npmdirs \
 && cp package.json /tmp/npmdirs/ \
 && npx napi create-npm-dirs --cwd /tmp/npmdirs \
 && cp gamesa-core.linux-x64-gnu.node /tmp/npmdirs/npm/linux-x64-gnu/ \
 && npm pack --ignore-scripts --pack-destination /out \
 && (cd /tmp/npmdirs/npm/linux-x64-gnu && npm pack --ignore-scripts --pack-destination /out)

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
COPY --from=build /out/*.tgz /tmp/gamesa/
RUN npm install -g --no-audit --no-fund /tmp/gamesa/*.tgz \
 && rm -rf /tmp/gamesa /root/.npm \
 && gamesa --help >/dev/null
# The journal's default place as root (docs/actuation.md); the DaemonSet mounts the node's.
VOLUME /var/lib/gamesa
EXPOSE 9464
ENTRYPOINT ["gamesa"]
CMD ["run", "--metrics", "0.0.0.0:9464"]
