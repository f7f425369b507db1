"""Exit 0 when the PostgreSQL server at the given URL answers, 1 otherwise (for the Makefile)."""

import sys

import psycopg


def main(url: str) -> int:
    url = url.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        print(f"PostgreSQL not reachable: {error}".strip(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
