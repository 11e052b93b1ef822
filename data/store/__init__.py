"""The DuckDB store: where it lives and how it is opened (`connect`), its schema (`migrate`), all-or-nothing
writes with one retry (`transaction`), what changed (`versions`), frames in one statement (`bulk`) and the
audit trail's one writer (`audit`).

Every other module in `data/` takes a connection from here; pages never open one themselves. Reads live in
`data.store.reads` and `data.store.page_reads`.
"""

from data.store.bulk import insert_frame, registered
from data.store.connect import (
    DEFAULT_STORE,
    ROOT,
    STORE_ENV,
    connect,
    get_meta,
    one,
    scalar,
    set_meta,
    store_path,
    table_names,
)
from data.store.migrate import MIGRATIONS_DIR, applied_migrations, migrate, migrations
from data.store.transaction import MAX_RETRIES, transaction, with_retry
from data.store.versions import (
    REFERENCE,
    competition_scope,
    competition_version,
    data_version,
    reference_version,
    result_version,
    touch,
    touch_everything,
    touch_reference,
)

__all__ = [
    "DEFAULT_STORE", "MAX_RETRIES", "MIGRATIONS_DIR", "REFERENCE", "ROOT", "STORE_ENV",
    "applied_migrations", "competition_scope", "competition_version", "connect", "data_version", "get_meta",
    "insert_frame", "migrate", "migrations", "one", "reference_version", "registered", "result_version", "scalar", "set_meta",
    "store_path", "table_names", "touch", "touch_everything", "touch_reference", "transaction", "with_retry",
]
