#!/usr/bin/env python3
"""The DefiLlama TVL backfill done the way the seed prototypes do it, as the reference tm is
measured against (scripts/bench defillama): requests.Session, one GET /protocol/{slug} after
another, json parsing, and psycopg2's execute_values with INSERT ... ON CONFLICT, committed per
protocol. It writes the same rows into the same schema (series + points) as
`tm backfill defillama --metrics TVL`.

    seed_style_backfill.py --url http://127.0.0.1:PORT/defillama --config config.csv --dsn "dbname=x"
"""
import argparse
import csv
import datetime

import psycopg2
import psycopg2.extras
import requests

p = argparse.ArgumentParser()
p.add_argument("--url", required=True)
p.add_argument("--config", required=True)
p.add_argument("--dsn", required=True)
a = p.parse_args()

slugs = [row["asset"] for row in csv.DictReader(open(a.config)) if row["kind"] == "protocol"]
session = requests.Session()
conn = psycopg2.connect(a.dsn)
cur = conn.cursor()
points = 0
for slug in slugs:
    r = session.get(f"{a.url}/protocol/{slug}", timeout=120)
    r.raise_for_status()
    body = r.json()
    cur.execute(
        "INSERT INTO series (source, kind, asset, metric) VALUES ('defillama', 'protocol', %s, 'TVL') "
        "ON CONFLICT (source, kind, asset, metric) DO UPDATE SET metric = excluded.metric RETURNING series_id",
        (slug,))
    series_id = cur.fetchone()[0]
    rows = [(series_id, datetime.datetime.fromtimestamp(item["date"], datetime.timezone.utc),
             item["totalLiquidityUSD"]) for item in body.get("tvl") or []]
    psycopg2.extras.execute_values(
        cur, "INSERT INTO points (series_id, ts, value) VALUES %s ON CONFLICT (series_id, ts) DO NOTHING",
        rows, page_size=1000)
    conn.commit()
    points += len(rows)
print(points)
