"""Schema drift: new fields are welcome (dlt adds the columns), a key changing type is not.

dlt would load a key that changed type (Shopify ids turning into strings, say) into a *variant*
column (`id__v_text`), silently splitting the table's key in two and breaking merges. The connectors
check their key columns' types as records arrive and stop the load with a message saying which key
changed and how, before anything is written.
"""

from collections.abc import Mapping


class KeyTypeChanged(RuntimeError):
    """A primary-key field arrived with another type than the table holds."""


def check_key_types(record: Mapping, keys: Mapping[str, type], source: str, resource: str) -> None:
    for key, expected in keys.items():
        value = record.get(key)
        if value is None:
            continue  # a missing key is a bad record: quarantined by the caller's checks
        if isinstance(value, bool) or not isinstance(value, expected):
            raise KeyTypeChanged(
                f"{source}.{resource}: key column `{key}` arrived as {type(value).__name__} ({str(value)[:40]!r}) "
                f"but the table holds {expected.__name__}: the API changed the key's type. The load stops "
                "here so the key is not split across two columns; adapt the connector, then load again."
            )
