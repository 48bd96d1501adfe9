"""Record ids from forms and query strings, parsed without trusting them."""


def parse_id(value) -> int | None:
    """An id, or None when the value is not one (so a lookup finds nothing instead of failing)."""
    value = str(value if value is not None else "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


def parse_ids(values) -> list[int]:
    """The ids among these values; the rest are ignored."""
    return [pk for pk in map(parse_id, values) if pk is not None]
