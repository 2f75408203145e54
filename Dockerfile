# tm's container images (README "Containers"), built by `podman-compose build` (or `docker
# compose build`) from compose.yaml, or by hand:
#   podman build -t localhost/tm:latest .                 the tm image (the last stage)
#   podman build --target db -t localhost/tm-db:latest .  PostgreSQL 15 for compose.yaml's db
# Nothing secret is baked in: keys and passwords reach the containers at run time, from .env and
# tm.env through compose.yaml.

# ---- build: Debian bookworm with exactly the packages scripts/bootstrap installs (it is run
# here), compiling the programs only (no tests, no benchmarks).
FROM debian:bookworm AS build
WORKDIR /src
COPY scripts/bootstrap scripts/bootstrap
RUN TM_PACKAGES_ONLY=1 TM_EXTRA_PACKAGES=ccache scripts/bootstrap && rm -rf /var/lib/apt/lists/*
# Only what the build reads, so an edit to the README or the tests does not rebuild.
COPY CMakeLists.txt ./
COPY apps apps
COPY lib lib
COPY schema schema
COPY config config
# The compiler cache outlives the image (a cache mount): after a source change only the changed
# files compile again.
RUN --mount=type=cache,target=/root/.cache/ccache \
    cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTM_BUILD_TESTS=OFF -DTM_BUILD_BENCH=OFF \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null \
 && cmake --build /build -j"$(nproc)" \
 && mkdir -p /out/bin \
 && cp /build/bin/tm /build/bin/tm-* /out/bin/ \
 && strip /out/bin/*
# The runtime image's packages are the ones the programs link against, as dpkg-shlibdeps (the
# tool Debian packages use for their Depends) reads them from the binaries.
RUN mkdir -p /tmp/shlibs/debian && cd /tmp/shlibs \
 && printf 'Source: tm\n\nPackage: tm\nArchitecture: any\n' >debian/control \
 && dpkg-shlibdeps -O /out/bin/* | sed -n 's/^shlibs:Depends=//p' | tr ',' '\n' \
    | sed -e 's/(.*)//' -e 's/|.*//' -e 's/ //g' | sort -u >/out/runtime-packages \
 && test -s /out/runtime-packages

# ---- db: PostgreSQL 15 from Debian, for compose.yaml's db service (no registry needed beyond
# Debian's mirror). scripts/container/db-entrypoint creates the cluster on first start.
FROM debian:bookworm-slim AS db
# The package would create a cluster in the image; the entrypoint makes one in the volume.
RUN mkdir -p /etc/postgresql-common \
 && echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && install -d -o postgres -g postgres -m 700 /var/lib/postgresql/data \
 && install -d -o postgres -g postgres -m 2775 /run/postgresql
COPY scripts/container/db-entrypoint /usr/local/bin/db-entrypoint
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data LANG=C.UTF-8
USER postgres
EXPOSE 5432
# SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
STOPSIGNAL SIGINT
ENTRYPOINT ["db-entrypoint"]
CMD ["postgres"]

# ---- tm: the programs, their shared libraries, CA certificates, and a non-root user.
FROM debian:bookworm-slim
COPY --from=build /out/runtime-packages /tmp/runtime-packages
RUN apt-get update \
 && xargs -a /tmp/runtime-packages apt-get install -y --no-install-recommends ca-certificates \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages \
 && useradd --system --user-group --uid 10001 --home-dir /var/lib/tm --create-home --shell /usr/sbin/nologin tm \
 && install -d -o tm -g tm /var/lib/tm/export /var/log/tm
COPY --from=build /out/bin/ /usr/local/bin/
COPY scripts/container/tm-cron scripts/container/tm-wait /usr/local/bin/
COPY config /usr/share/tm/config
# The shipped schedule, pointing at the installed tm (as scripts/install-schedule does).
COPY crontab/tm.crontab /etc/tm/tm.crontab
RUN sed -i 's#^TM=.*#TM=/usr/local/bin/tm#' /etc/tm/tm.crontab && tm --version
ENV TM_HOME=/var/lib/tm LANG=C.UTF-8
USER tm
WORKDIR /var/lib/tm
CMD ["tm", "help"]
