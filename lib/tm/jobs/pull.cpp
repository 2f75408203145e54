#include <tm/jobs/pull.hpp>
#include <tm/jobs/source_run.hpp>
#include <tm/store/asset_writer.hpp>
#include <tm/store/point_writer.hpp>
#include <tm/store/series_dictionary.hpp>

namespace jobs {

core::ExitCode run_pull(const PullOptions& options) {
    auto source = sources::make_source(options.source, sources::Mode::pull, options.selection);
    SourceRun run(options.source, options.db, store::PullKind::pull, options.args);

    store::PullSummary summary;
    http::Client http(options.http);
    try {
        source->configure(http);
        sources::PullContext ctx(http, core::Clock::now(), options.bucket);
        for (int phase = 0;; ++phase) {
            const bool more = source->plan_pull(ctx, phase);
            http.run();
            if (!more) {
                break;
            }
        }
        SourceRun::summarize(summary, http, ctx.errors(), ctx.succeeded());
        const store::Batch points = source->select(ctx.points(), ctx.assets());

        store::SeriesDictionary dictionary(run.conn());
        const auto ids = dictionary.resolve(points);
        db::Transaction tx(run.conn());
        store::PointWriter writer(run.conn());
        summary.counts = writer.write(points, ids, store::Policy::live, run.pull_id());
        store::write_assets(run.conn(), ctx.assets());
        run.journal().finish(run.pull_id(), summary);
        tx.commit();
    } catch (const std::exception& e) {
        SourceRun::summarize(summary, http, {}, 0);
        summary.counts = {};
        run.record_failure(summary, e);
        throw;
    }
    return run.report(summary);
}

} // namespace jobs
