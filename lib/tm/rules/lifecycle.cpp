#include <tm/core/strings.hpp>
#include <tm/rules/lifecycle.hpp>

#include <fmt/format.h>

namespace rules {
namespace {

// The events listed by `events_sql` (rows of alert_id, event), described in full.
std::vector<AlertEvent>
load_events(db::Connection& conn, const std::string& events_sql, const db::Params& params) {
    const std::string sql = fmt::format(
        "SELECT x.alert_id, x.event, a.rule, a.severity, coalesce(s.source, ''), "
        "coalesce(s.asset, ''), coalesce(s.metric, ''), coalesce(a.subject, ''), a.value, "
        "a.baseline, coalesce(a.message, ''), to_char(CASE x.event WHEN 'opened' THEN a.opened_at "
        "ELSE a.resolved_at END AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS at, "
        "array_to_string(ARRAY(SELECT d.channel FROM alert_deliveries d WHERE d.alert_id = "
        "x.alert_id AND d.event = x.event ORDER BY 1), ',') "
        "FROM ({}) AS x(alert_id, event) JOIN alerts a ON a.alert_id = x.alert_id "
        "LEFT JOIN series s ON s.series_id = a.series_id ORDER BY at, x.alert_id, x.event",
        events_sql);
    const auto r = conn.exec(sql, params);
    std::vector<AlertEvent> out;
    out.reserve(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        AlertEvent e;
        e.alert_id = r.get_int(i, 0);
        e.event = r.get(i, 1);
        e.rule = r.get(i, 2);
        e.severity = r.get(i, 3);
        e.source = r.get(i, 4);
        e.asset = r.get(i, 5);
        e.metric = r.get(i, 6);
        e.subject = r.get(i, 7);
        if (!r.is_null(i, 8)) {
            e.value = r.get_double(i, 8);
        }
        if (!r.is_null(i, 9)) {
            e.baseline = r.get_double(i, 9);
        }
        e.message = r.get(i, 10);
        e.at = r.get(i, 11);
        if (!r.get(i, 12).empty()) {
            e.delivered_to = core::strings::split_list(r.get(i, 12));
        }
        out.push_back(std::move(e));
    }
    return out;
}

} // namespace

Applied apply(db::Connection& conn) {
    Applied out;
    std::vector<std::string> ids, kinds;
    const auto upserted = conn.exec(
        "INSERT INTO alerts AS a (rule, series_id, subject, status, severity, opened_at, "
        "last_seen_at, value, baseline, message) "
        "SELECT rule, series_id, subject, 'open', severity, ts, ts, value, baseline, message "
        "FROM detect_eval WHERE firing "
        "ON CONFLICT (rule, coalesce(series_id, 0), coalesce(subject, '')) WHERE status = 'open' "
        "DO UPDATE SET last_seen_at = excluded.last_seen_at, value = excluded.value, "
        "baseline = excluded.baseline, message = excluded.message, severity = excluded.severity "
        "WHERE a.last_seen_at < excluded.last_seen_at "
        "RETURNING a.alert_id, xmax = 0");
    for (int i = 0; i < upserted.rows(); ++i) {
        if (upserted.get(i, 1) == "t") {
            ids.emplace_back(upserted.get(i, 0));
            kinds.emplace_back("opened");
        } else {
            ++out.refreshed;
        }
    }
    const auto resolved = conn.exec(
        "UPDATE alerts a SET status = 'resolved', resolved_at = e.ts, value = e.value, "
        "baseline = e.baseline, message = e.message FROM detect_eval e "
        "WHERE a.status = 'open' AND NOT e.firing AND e.rule = a.rule "
        "AND coalesce(e.series_id, 0) = coalesce(a.series_id, 0) "
        "AND coalesce(e.subject, '') = coalesce(a.subject, '') AND e.ts >= a.last_seen_at "
        "RETURNING a.alert_id");
    for (int i = 0; i < resolved.rows(); ++i) {
        ids.emplace_back(resolved.get(i, 0));
        kinds.emplace_back("resolved");
    }
    if (!ids.empty()) {
        out.events = load_events(conn,
                                 "SELECT unnest($1::bigint[]), unnest($2::text[])",
                                 {db::array_literal(ids), db::array_literal(kinds)});
    }
    out.open = conn.exec("SELECT count(*) FROM alerts WHERE status = 'open'").get_int(0, 0);
    return out;
}

Applied preview(db::Connection& conn) {
    // A temporary table is found before a permanent one of the same name, so apply()'s
    // statements meet this copy; its ids continue the real ones so messages look alike.
    conn.exec("CREATE TEMP TABLE alerts ON COMMIT DROP AS "
              "SELECT * FROM public.alerts WHERE status = 'open'");
    conn.exec("CREATE UNIQUE INDEX ON pg_temp.alerts (rule, coalesce(series_id, 0), "
              "coalesce(subject, '')) WHERE status = 'open'");
    conn.exec("CREATE TEMP SEQUENCE tm_preview_alert_id");
    conn.exec("SELECT setval('pg_temp.tm_preview_alert_id', "
              "(SELECT coalesce(max(alert_id), 0) + 1 FROM public.alerts), false)");
    conn.exec("ALTER TABLE pg_temp.alerts ALTER alert_id SET DEFAULT "
              "nextval('pg_temp.tm_preview_alert_id'), ALTER status SET DEFAULT 'open', "
              "ALTER opened_at SET DEFAULT now(), ALTER last_seen_at SET DEFAULT now()");
    return apply(conn);
}

std::vector<AlertEvent> pending_events(db::Connection& conn) {
    return load_events(conn,
                       "SELECT alert_id, 'opened' FROM alerts WHERE notified_at IS NULL "
                       "UNION ALL SELECT alert_id, 'resolved' FROM alerts WHERE status = "
                       "'resolved' AND resolve_notified_at IS NULL",
                       {});
}

long long write_episodes(db::Connection& conn, report::Format format, std::FILE* out) {
    const std::string sql =
        "WITH x AS (SELECT e.*, CASE WHEN firing IS DISTINCT FROM lag(firing) OVER w THEN 1 "
        "ELSE 0 END AS flip FROM detect_eval e "
        "WINDOW w AS (PARTITION BY rule, series_id, subject ORDER BY ts)), "
        "y AS (SELECT x.*, sum(flip) OVER (PARTITION BY rule, series_id, subject ORDER BY ts "
        "ROWS UNBOUNDED PRECEDING) AS run FROM x), "
        "runs AS (SELECT rule, severity, series_id, subject, run, bool_and(firing) AS firing, "
        "min(ts) AS started, count(*) AS points, (array_agg(message ORDER BY ts))[1] AS message "
        "FROM y GROUP BY rule, severity, series_id, subject, run), "
        "ep AS (SELECT runs.*, lead(started) OVER (PARTITION BY rule, series_id, subject "
        "ORDER BY run) AS ended FROM runs) "
        "SELECT ep.rule, ep.severity, CASE WHEN s.series_id IS NULL THEN ep.subject ELSE "
        "s.source || '/' || s.asset || '/' || s.metric || coalesce(' vs ' || ep.subject, '') END "
        "AS target, tm_iso(ep.started) AS opened, tm_iso(ep.ended) AS resolved, ep.points, "
        "ep.message FROM ep LEFT JOIN series s ON s.series_id = ep.series_id "
        "WHERE ep.firing ORDER BY ep.started, ep.rule, target";
    return report::write_rows(conn,
                              sql,
                              {},
                              {{"rule"},
                               {"severity"},
                               {"target"},
                               {"opened", report::Type::time},
                               {"resolved", report::Type::time},
                               {"points", report::Type::count},
                               {"message"}},
                              format,
                              out);
}

} // namespace rules
