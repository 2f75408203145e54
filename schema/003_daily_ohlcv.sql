-- Seed 001's daily_ohlcv: open, high, low, close of PRICE and the day's last 24h volume, per
-- source, asset and UTC day, over every price source. Refreshed (concurrently, thanks to the
-- unique index) after pulls of price sources.
CREATE MATERIALIZED VIEW IF NOT EXISTS daily_ohlcv AS
WITH prices AS (
    SELECT s.source, s.asset, date_trunc('day', p.ts, 'UTC') AS day,
           (array_agg(p.value ORDER BY p.ts))[1]      AS open,
           max(p.value)                               AS high,
           min(p.value)                               AS low,
           (array_agg(p.value ORDER BY p.ts DESC))[1] AS close,
           count(*)                                   AS samples
      FROM points p JOIN series s USING (series_id)
     WHERE s.metric = 'PRICE'
     GROUP BY 1, 2, 3),
volumes AS (
    SELECT DISTINCT ON (s.source, s.asset, date_trunc('day', p.ts, 'UTC'))
           s.source, s.asset, date_trunc('day', p.ts, 'UTC') AS day, p.value AS volume
      FROM points p JOIN series s USING (series_id)
     WHERE s.metric = 'VOLUME_24H'
     ORDER BY s.source, s.asset, date_trunc('day', p.ts, 'UTC'), p.ts DESC)
SELECT prices.source, prices.asset, prices.day, prices.open, prices.high, prices.low,
       prices.close, volumes.volume, prices.samples
  FROM prices LEFT JOIN volumes USING (source, asset, day);

CREATE UNIQUE INDEX IF NOT EXISTS daily_ohlcv_key ON daily_ohlcv (source, asset, day);
