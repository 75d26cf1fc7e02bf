"""Exit 0 when the PostgreSQL server of the given URL accepts a connection, else 1."""

import sys

import psycopg

url = sys.argv[1] if len(sys.argv) > 1 else "postgres://postgres@127.0.0.1:5432/postgres"
server = url.rsplit("/", 1)[0] + "/postgres"
try:
    psycopg.connect(server, connect_timeout=3).close()
except psycopg.OperationalError:
    sys.exit(1)
