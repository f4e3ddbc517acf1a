"""Data contracts checked at the end of every build (the build fails if any is broken).

Each contract is a query that returns the offending rows: none means it holds. They cover what
the published tables promise (keys, allowed values, codes, coverage) and totals that must add up.
"""

from __future__ import annotations

import duckdb

from transforms.contracts import cohesion, deprivation, published, service_use, transport

CONTRACTS: tuple[tuple[str, str], ...] = (
    *published.CONTRACTS,
    *deprivation.CONTRACTS,
    *transport.CONTRACTS,
    *service_use.CONTRACTS,
    *cohesion.CONTRACTS,
)


def check_contracts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Run every contract; return one message per broken contract (empty when all hold)."""
    failures = []
    for description, sql in CONTRACTS:
        rows = con.execute(f"select * from ({sql}) limit 3").fetchall()
        if rows:
            count = con.execute(f"select count(*) from ({sql})").fetchall()[0][0]
            failures.append(f"{description}: {count} offending row(s), e.g. {rows}")
    return failures
