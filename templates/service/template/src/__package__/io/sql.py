"""Training rows from a SQL query: `source: {query: ...}` in `confs/data.yaml`.

The query is reviewed in the repository; where it runs is not: the database's SQLAlchemy
URL (driver, host and credentials) comes from the environment, a CI secret, so no
credential ever reaches git. SQLAlchemy is a dev dependency (`make check` tests this
module against SQLite); the driver of your database is yours to add.

A query result has no bytes to hash, so it is given one canonical form: the rows as CSV,
columns in the query's order, rows sorted by their values. SQL promises no row order
without ORDER BY, and a database is free to change it, so a fingerprint that depended on
it would fail for no reason; any added, removed or changed row still changes it. The
loader reads exactly these bytes as it reads a CSV file, and the same bytes written to a
file (`make data-snapshot`) are a CSV that `ds-service data refresh --data` profiles with
the very fingerprint the query has.
"""

import pandas as pd


class SqlSourceError(RuntimeError):
    """The query cannot run: no SQLAlchemy, no driver, an unusable URL or duplicate columns."""


def canonical_csv(frame: pd.DataFrame) -> bytes:
    """The rows as CSV bytes that depend on their values only, never on their order."""
    duplicated = sorted(set(frame.columns[frame.columns.duplicated()]))
    if duplicated:
        raise SqlSourceError(
            f"the query returns the columns {duplicated} more than once: give each "
            "its own name (SELECT a.x AS x_a, b.x AS x_b ...)"
        )
    # Sorted on the text of each value: one total order for every column type, nulls last.
    rows = frame.sort_values(
        by=list(frame.columns), key=lambda column: column.astype(str), na_position="last"
    )
    return rows.to_csv(index=False, lineterminator="\n").encode()


def read_query(query: str, url: str, url_name: str) -> bytes:
    """Run the query against the database at `url` and return its rows' canonical CSV.

    `url_name` is the environment variable the URL came from: errors name it, and never
    echo the URL itself, which holds a password.
    """
    try:
        import sqlalchemy  # here, not at the top: only SQL sources need it
    except ImportError:
        raise SqlSourceError(
            "a SQL source needs SQLAlchemy and your database's driver: "
            "`uv add sqlalchemy psycopg[binary]` for PostgreSQL, for instance "
            "(SQLite needs no driver)"
        ) from None
    try:
        engine = sqlalchemy.create_engine(url)
    except ImportError as error:
        raise SqlSourceError(
            f"{url_name} names a database whose driver is not installed ({error.name}): "
            "add it to pyproject.toml's dependencies (`uv add <driver>`)"
        ) from None
    except sqlalchemy.exc.ArgumentError:
        raise SqlSourceError(
            f"{url_name} is not a SQLAlchemy URL SQLAlchemy can use; it should look like "
            "dialect+driver://user:password@host:port/database"
        ) from None
    try:
        with engine.connect() as connection:
            frame = pd.read_sql(sqlalchemy.text(query), connection)
    finally:
        engine.dispose()
    return canonical_csv(frame)
