-- tm detect (issue 6). Some alerts are not about one series: a stale feed is about a source, a
-- divergence about a pair of series. `subject` names that thing, and the one-open-alert rule
-- becomes one open alert per (rule, series, subject).
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS subject text;
DROP INDEX IF EXISTS alerts_one_open;
CREATE UNIQUE INDEX IF NOT EXISTS alerts_one_open
    ON alerts (rule, coalesce(series_id, 0), coalesce(subject, '')) WHERE status = 'open';
CREATE INDEX IF NOT EXISTS alerts_pending ON alerts (alert_id)
    WHERE notified_at IS NULL OR (status = 'resolved' AND resolve_notified_at IS NULL);

-- Which channel has delivered which event, so a run that reached Slack but not the webhook
-- retries only the webhook. An event is settled (alerts.notified_at, resolve_notified_at) once
-- every channel of the run that sent it has delivered it.
CREATE TABLE IF NOT EXISTS alert_deliveries (
    alert_id     bigint NOT NULL REFERENCES alerts (alert_id) ON DELETE CASCADE,
    event        text NOT NULL CHECK (event IN ('opened', 'resolved')),
    channel      text NOT NULL,
    delivered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (alert_id, event, channel)
);
