// tm-bench-write: times tm's write path against `psql \copy` of the same rows, in one run.
//   (a) tm's write path (series dictionary, dedup, COPY, upsert) into an empty points table
//   (b) psql \copy of the same rows from CSV into the same table, emptied (the reference)
//   (c) tm's write path again over the full table: every point conflicts, nothing changes
// Connects with the PG* variables (scripts/bench starts a throw-away cluster).
#include <tm/core/files.hpp>
#include <tm/core/log.hpp>
#include <tm/db/connection.hpp>
#include <tm/db/migrate.hpp>
#include <tm/store/point_writer.hpp>
#include <tm/store/series_dictionary.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

store::Batch generate(int series, int days) {
    store::Batch batch;
    uint64_t state = 42;
    const auto start = core::from_unix_seconds(1'500'000'000 / 86400 * 86400);
    for (int s = 0; s < series; ++s) {
        const auto ref = batch.series(
            "bench", store::AssetKind::protocol, fmt::format("asset-{:05}", s), "TVL", "usd");
        double value = 1e6 + s;
        for (int d = 0; d < days; ++d) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            value *= 1.0 + (static_cast<double>(state >> 11) / 9007199254740992.0 - 0.5) * 0.02;
            batch.add(ref, start + std::chrono::days{d}, value);
        }
    }
    return batch;
}

struct Timed {
    double seconds;
    store::WriteCounts counts;
    bool fast_path;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

Timed tm_write(db::Connection& conn,
               const store::Batch& batch,
               store::Policy policy,
               store::FastPath fast_path = store::FastPath::allowed) {
    conn.exec("CHECKPOINT");
    const auto start = Clock::now();
    store::SeriesDictionary dictionary(conn);
    const auto ids = dictionary.resolve(batch);
    store::PointWriter writer(conn, fast_path);
    writer.prepare(batch);
    db::Transaction tx(conn);
    const auto counts = writer.write(batch, ids, policy, 1);
    tx.commit();
    return {seconds_since(start), counts, writer.fast_path_writes() > 0};
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Benchmark tm's write path against psql \\copy", "tm-bench-write"};
    int series = 1500;
    int days = 2000;
    std::string dbname = "tm_bench_write";
    std::string work = "/tmp";
    app.add_option("--series", series, "Number of series");
    app.add_option("--days", days, "Daily points per series");
    app.add_option("--database", dbname, "Database to (re)create");
    app.add_option("--workdir", work, "Where to write the CSV for psql");
    int repeat = 3;
    app.add_option("--repeat", repeat, "Runs of each measurement (medians are reported)")
        ->check(CLI::Range(1, 20));
    CLI11_PARSE(app, argc, argv);
    core::log::configure("tm-bench-write", core::log::Level::warn, core::log::Format::text);

    try {
        {
            db::Connection admin("dbname=postgres");
            admin.exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", dbname));
            admin.exec(fmt::format("CREATE DATABASE {}", dbname));
        }
        db::Connection conn("dbname=" + dbname);
        db::apply_migrations(conn);
        const auto gen_start = Clock::now();
        const store::Batch batch = generate(series, days);
        const auto n = static_cast<double>(batch.size());
        fmt::print("points: {} ({} series x {} days), generated in {:.2f} s\n",
                   batch.size(),
                   series,
                   days,
                   seconds_since(gen_start));

        // The same rows as CSV (ids as the dictionary assigns them) for psql.
        store::SeriesDictionary dictionary(conn);
        const auto ids = dictionary.resolve(batch);
        // The months' partitions exist before the first measurement, as they do for every
        // write but a store's first of a month. Autovacuum waking up in the middle of one
        // measurement and not another is noise.
        store::PointWriter(conn).prepare(batch);
        conn.exec("DO $$ DECLARE p regclass; BEGIN FOR p IN SELECT inhrelid::regclass FROM "
                  "pg_inherits WHERE inhparent = 'points'::regclass LOOP EXECUTE format('ALTER "
                  "TABLE %s SET (autovacuum_enabled = false)', p); END LOOP; END $$");
        const std::string csv_path = fmt::format("{}/tm-bench-write-{}.csv", work, ::getpid());
        {
            std::string csv;
            csv.reserve(batch.size() * 48);
            for (size_t i = 0; i < batch.size(); ++i) {
                csv += fmt::format("{},{},{},1\n",
                                   ids[batch.refs()[i]],
                                   core::format_iso8601(batch.times()[i]),
                                   batch.values()[i]);
            }
            core::files::write_atomically(csv_path, csv);
        }
        const std::string command = fmt::format(
            "psql -qX -d {} -c \"\\copy points (series_id, ts, value, pull_id) FROM '{}' CSV\"",
            dbname,
            csv_path);

        // Each measurement runs `repeat` times, interleaved so that background noise (the
        // other core, checkpoints) spreads over all of them; medians are reported.
        std::vector<double> staged_s, a_s, b_s, c_live_s, c_backfill_s;
        Timed a{}, staged{}, c_live{}, c_backfill{};
        for (int r = 0; r < repeat; ++r) {
            // The staged path (COPY into a temporary table, then INSERT … ON CONFLICT) is what a
            // batch overlapping stored points takes; measured on the empty table for comparison.
            conn.exec("TRUNCATE points");
            staged = tm_write(conn, batch, store::Policy::live, store::FastPath::disabled);
            staged_s.push_back(staged.seconds);
            conn.exec("TRUNCATE points");
            a = tm_write(conn, batch, store::Policy::backfill);
            a_s.push_back(a.seconds);

            conn.exec("TRUNCATE points");
            conn.exec("CHECKPOINT");
            const auto b_start = Clock::now();
            if (std::system(command.c_str()) != 0) {
                fmt::print(stderr, "psql \\copy failed\n");
                return 1;
            }
            b_s.push_back(seconds_since(b_start));

            c_live = tm_write(conn, batch, store::Policy::live);
            c_live_s.push_back(c_live.seconds);
            c_backfill = tm_write(conn, batch, store::Policy::backfill);
            c_backfill_s.push_back(c_backfill.seconds);
        }
        std::remove(csv_path.c_str());
        a.seconds = median(a_s);
        staged.seconds = median(staged_s);
        c_live.seconds = median(c_live_s);
        c_backfill.seconds = median(c_backfill_s);
        const double b = median(b_s);
        fmt::print("medians of {} runs\n", repeat);

        const auto rate = [&](double s) { return n / s; };
        fmt::print("(a) tm write path, empty table:    {:6.2f} s  {:>10.0f} points/s  ({} "
                   "inserted, {} path)\n",
                   a.seconds,
                   rate(a.seconds),
                   a.counts.inserted,
                   a.fast_path ? "fast COPY" : "staged upsert");
        fmt::print(
            "    staged upsert, empty table:    {:6.2f} s  {:>10.0f} points/s  ({} inserted)\n",
            staged.seconds,
            rate(staged.seconds),
            staged.counts.inserted);
        fmt::print(
            "(b) psql \\copy, same table:       {:6.2f} s  {:>10.0f} points/s\n", b, rate(b));
        fmt::print(
            "(c) tm again, all conflicts, live: {:6.2f} s  {:>10.0f} points/s  ({} unchanged)\n",
            c_live.seconds,
            rate(c_live.seconds),
            c_live.counts.unchanged);
        fmt::print(
            "    same, backfill policy:         {:6.2f} s  {:>10.0f} points/s  ({} unchanged)\n",
            c_backfill.seconds,
            rate(c_backfill.seconds),
            c_backfill.counts.unchanged);
        fmt::print("ratio a/b (speed of tm relative to psql \\copy, target >= 0.7): {:.2f}\n",
                   b / a.seconds);
        fmt::print("ratio staged/b (the upsert path without the fast path):        {:.2f}\n",
                   b / staged.seconds);
        fmt::print("ratio c/a (time of the all-conflict rerun, target <= 1.0):    {:.2f}\n",
                   c_live.seconds / a.seconds);
        const bool ok = b / a.seconds >= 0.7 && c_live.seconds <= a.seconds;
        fmt::print("targets: {}\n", ok ? "met" : "NOT met");
        {
            db::Connection admin("dbname=postgres");
            admin.exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", dbname));
        }
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "tm-bench-write: {}\n", e.what());
        return 1;
    }
}
