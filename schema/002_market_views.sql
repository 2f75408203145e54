-- Views in the shapes of the seed prototypes, over the one points table.

-- Seed 002's table: funding_rates(timestamp, symbol, rate), one row per perp and time.
CREATE OR REPLACE VIEW funding_rates AS
SELECT p.ts AS "timestamp", s.asset AS symbol, p.value AS rate
  FROM points p JOIN series s USING (series_id)
 WHERE s.source = 'hyperliquid' AND s.metric = 'FUNDING_RATE';
