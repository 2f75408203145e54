#pragma once

#include <tm/sources/artemis/matrix.hpp>
#include <tm/sources/missing_names.hpp>
#include <tm/sources/source.hpp>

#include <string>
#include <vector>

namespace sources::artemis {

// Symbols and metrics one request asks for, and its date window [start, end] (inclusive days).
struct Request {
    std::vector<std::string> symbols;
    std::vector<std::string> metrics;
};

// Artemis (research/market-apis.md §A): GET {base}/data/api/{M1,M2,…}/?symbols=a,b&startDate=…
// &endDate=…&APIKey=KEY, batched by symbols and date windows.
class Artemis : public Source {
public:
    // Throws core::UsageError (exit 2) before any request when ARTEMIS_API_KEY is not set.
    Artemis(const Selection& selection, Mode mode);
    const SourceInfo& info() const override { return m_info; }
    void configure(http::Client& http) const override;
    bool plan_pull(PullContext& ctx, int phase) override;
    store::Batch select(const store::Batch& points,
                        const std::vector<store::Asset>& assets) override;
    bool plan_backfill(BackfillContext& ctx, int phase) override;

private:
    http::Request build(const Request& r, core::Time first_day, core::Time last_day) const;
    // Fetches `r` for [first_day, last_day] into a live pull, splitting it on HTTP 400.
    void fetch_live(PullContext& ctx, Request r, core::Time first_day, core::Time last_day);
    // Backfills `r` window by window from `start`, each window after the previous one.
    void chain(BackfillContext& ctx, Request r, core::Time start);
    std::vector<Request> batches() const;
    // Parses `body`, keeps the pairs `r` asked for, and notes what the API said is missing
    // and the symbols it left out.
    void parse_into(std::string& body,
                    const Request& r,
                    store::Batch& out,
                    RunContext& ctx,
                    const std::string& label);
    // After the data requests: the symbols left out, with the closest of Artemis's symbol list
    // (fetched only then); the others' assets rows. False when done.
    bool report_missing(RunContext& ctx);

    SourceInfo m_info;
    std::string m_key; // before the matrix: a missing key is the first thing to report
    std::string m_base;
    Matrix m_matrix;
    size_t m_batch_symbols = 50; // --batch-assets
    int m_batch_days = 365;      // --batch-days
    MissingNames m_missing;      // symbols no answer had
};

// Splits `r` in two (symbols first, then metrics); false when it is a single pair.
bool split(const Request& r, Request& a, Request& b);

} // namespace sources::artemis
