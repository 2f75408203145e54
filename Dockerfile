# tm's container images (README "Containers"), built by `podman-compose build` (or `docker
# compose build`) from compose.yaml, or by hand:
#   podman build -t localhost/tm:latest .                 the tm image (the last stage)
#   podman build --target db -t localhost/tm-db:latest .  PostgreSQL 15 for compose.yaml's db
# Nothing secret is baked in: passwords and keys reach the containers at run time, from tm.env.

# ---- build: Debian bookworm with exactly the packages scripts/bootstrap installs (it is run
# here); compiles the programs only (no tests, no benchmarks) and installs them with
# `cmake --install` into /out.
FROM debian:bookworm AS build
WORKDIR /src
COPY scripts/bootstrap scripts/bootstrap
RUN TM_PACKAGES_ONLY=1 TM_EXTRA_PACKAGES=ccache scripts/bootstrap && rm -rf /var/lib/apt/lists/*
# Only what the build reads, so an edit to the tests or the README does not rebuild.
COPY CMakeLists.txt ./
COPY apps apps
COPY lib lib
COPY schema schema
COPY config config
COPY crontab crontab
COPY scripts/install-schedule scripts/install-schedule
# The compiler cache outlives the image (a cache mount): after a source change only the changed
# files compile again.
RUN --mount=type=cache,target=/root/.cache/ccache \
    cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTM_BUILD_TESTS=OFF -DTM_BUILD_BENCH=OFF \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_INSTALL_PREFIX=/usr/local >/dev/null \
 && cmake --build /build -j"$(nproc)"
COPY README.md ./
RUN DESTDIR=/out cmake --install /build --strip >/dev/null
# The runtime packages are the ones the programs link against, as dpkg-shlibdeps (the tool
# Debian packages use for their Depends) reads them from the binaries.
RUN mkdir -p /tmp/shlibs/debian && cd /tmp/shlibs \
 && printf 'Source: tm\n\nPackage: tm\nArchitecture: any\n' >debian/control \
 && dpkg-shlibdeps -O /out/usr/local/bin/* | sed -n 's/^shlibs:Depends=//p' | tr ',' '\n' \
    | sed -e 's/(.*)//' -e 's/|.*//' -e 's/ //g' | sort -u >/out/runtime-packages \
 && test -s /out/runtime-packages

# ---- runtime: bookworm-slim with those libraries and CA certificates (shared by db and tm).
FROM debian:bookworm-slim AS runtime
COPY --from=build /out/runtime-packages /tmp/runtime-packages
RUN apt-get update \
 && xargs -a /tmp/runtime-packages apt-get install -y --no-install-recommends ca-certificates \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages
ENV LANG=C.UTF-8

# ---- db: PostgreSQL 15 from Debian for compose.yaml's db service (no registry needed beyond
# Debian's mirror), with tm setup, which scripts/container/db-entrypoint runs at every start.
FROM runtime AS db
# The package would create a cluster in the image; the entrypoint makes one in the volume.
RUN mkdir -p /etc/postgresql-common \
 && echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && install -d -o postgres -g postgres -m 700 /var/lib/postgresql/data \
 && install -d -o postgres -g postgres -m 2775 /run/postgresql
COPY --from=build /out/usr/local/bin/tm /out/usr/local/bin/tm-setup /usr/local/bin/
COPY scripts/container/db-entrypoint /usr/local/bin/db-entrypoint
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
USER postgres
EXPOSE 5432
# SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
STOPSIGNAL SIGINT
ENTRYPOINT ["db-entrypoint"]
CMD ["postgres"]

# ---- tm: the installed programs, schema, configs and crontab (share/tm/crontab/tm.crontab
# names /usr/local/bin/tm), tm-cron and tm-wait, and a non-root user.
FROM runtime
RUN useradd --system --user-group --uid 10001 --home-dir /var/lib/tm --create-home --shell /usr/sbin/nologin tm \
 && install -d -o tm -g tm /var/lib/tm/export /var/lib/tm/metrics /var/log/tm
COPY --from=build /out/usr/local/bin/ /usr/local/bin/
COPY --from=build /out/usr/local/share/tm/ /usr/local/share/tm/
COPY scripts/container/tm-cron scripts/container/tm-wait /usr/local/bin/
RUN tm --version
ENV TM_HOME=/var/lib/tm
USER tm
WORKDIR /var/lib/tm
CMD ["tm", "help"]
