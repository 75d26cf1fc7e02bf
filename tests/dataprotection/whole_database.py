"""Search every column of every table of the test database for a text, the way an auditor
with database access would: whatever the application wrote, wherever it wrote it."""

import json

from django.db import connection


def places_holding(text: str) -> list[tuple[str, str, int]]:
    """(table, column, rows) for every column that holds `text`, as typed or as JSON
    spells it (SQLite keeps JSON with \\u escapes)."""
    spellings = {text, json.dumps(text)[1:-1]}
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                as_text = f"CAST({quote(column.name)} AS TEXT)"
                where = " OR ".join(f"{as_text} LIKE %s" for _ in spellings)
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} WHERE {where}",
                    [f"%{s}%" for s in spellings],
                )
                rows = cursor.fetchone()[0]
                if rows:
                    found.append((table, column.name, rows))
    return found
