"""`conductor sql`: SQL over the store (rollouts, tasks, steps, iterations, workers views)."""

from __future__ import annotations

import argparse

from conductor.cli.common import fail


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sql",
        help="run SQL over the store and print a table",
        description="Run SQL over the Parquet store through DuckDB. Views: rollouts, tasks, steps, iterations, "
        "workers (defined in sql/views). Example: "
        'conductor sql "select iteration, avg(reward) from rollouts group by 1"',
    )
    p.add_argument("query", nargs="?", help="the SQL to run")
    p.add_argument("--query", dest="saved", metavar="NAME", help="run a saved query from sql/queries/NAME.sql")
    p.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    p.add_argument("--max-width", type=int, default=60, help="truncate cells wider than this (default 60)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import duckdb

    from conductor.store.db import connect, saved_query
    from conductor.store.table import format_table

    try:
        sql = saved_query(args.saved) if args.saved else args.query
    except FileNotFoundError as e:
        return fail(str(e))
    if not sql:
        return fail('give a query, e.g. conductor sql "select * from iterations", or --query NAME')
    try:
        con = connect()
        cur = con.execute(sql)
        if not cur.description:
            return 0
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
    except duckdb.Error as e:
        return fail(str(e).splitlines()[0] if str(e) else type(e).__name__)
    if args.csv:
        import csv
        import sys

        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(columns)
        w.writerows(rows)
    else:
        print(format_table(columns, rows, max_width=args.max_width))
    return 0
