"""QuerySets compiled to SQL once per database connection, then run with new values.

Building a QuerySet and compiling it costs far more CPU than running it: the quiz panel's
graded-rules query takes ~1.3 ms to build and compile and ~0.05 ms to send and read back. A
page that every student opens all semester (the unit page, the answer POST) pays that on
every request. ``PreparedQuery`` keeps the ORM's definition of the query (one source of
truth, both databases, modeltranslation's columns) and pays for the compiling once: like
SQLAlchemy's compiled cache, or a prepared statement on the client side.

The QuerySet is built by a function of the query's parameters (integers: ids). To find where
each one lands among the SQL's parameters, the function is called with marker values, twice
with different markers: the two compilations must agree on everything but the markers, so
a query that reads the clock, a setting or anything else besides its parameters is refused
rather than frozen. That catches a value that differs between two calls a moment apart (the
clock); a builder must not read a setting, the time zone or the date either, which would
compile the same twice and stay frozen: the builders here read only their ids. The compiled
form is kept on each connection object (its converters hold the connection, and it goes
with the connection) and per active language (modeltranslation names the columns of the
language).

On PostgreSQL the SQL is also a prepared statement of the connection (``statement_cursor``):
PostgreSQL parses and plans it once per connection rather than on every request. Planning the
quiz's attempt query (four tables joined) cost the database ~0.3 ms of CPU each time, six
times what running it costs (``bench/RESULTS.md``). Every run is counted like any other
query (query counting and execute wrappers see it).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DataError, connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators
from django.utils.translation import get_language

try:
    import psycopg
except ImportError:  # SQLite only
    psycopg = None

# Two sets of markers, far from any real id and inside a 32-bit integer column's range.
_MARKERS = (1_987_000_001, 1_987_500_001)


@dataclass
class _Compiled:
    sql: str
    params: list
    slots: list[tuple[int, str]]  # (position among the SQL's parameters, parameter name)
    compiler: Any
    make_rows: Callable[[Any, list], list]


class PreparedQuery:
    """``PreparedQuery(lambda student_id, unit_id: Model.objects.filter(...))``: call
    ``.rows(**values)`` for a ``values_list()`` QuerySet (a list of tuples) or
    ``.objects(**values)`` for a QuerySet of model instances (``select_related`` and
    ``annotate`` included; ``prefetch_related`` is not run)."""

    def __init__(self, build: Callable[..., QuerySet], *, using: str = DEFAULT_DB_ALIAS):
        self.build = build
        self.names = list(inspect.signature(build).parameters)
        self.using = using

    def rows(self, **values: int) -> list[tuple]:
        return self._run(ValuesListIterable, values)

    def objects(self, **values: int) -> list[Model]:
        return self._run(ModelIterable, values)

    def _run(self, iterable: type, values: dict[str, int]) -> list:
        if set(values) != set(self.names):
            raise TypeError(f"expected values for {self.names}, got {sorted(values)}")
        connection = connections[self.using]
        compiled = self._compiled_for(connection, iterable)
        params = list(compiled.params)
        for position, name in compiled.slots:
            value = values[name]
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"{name} must be an integer, not {type(value).__name__}")
            params[position] = value
        with statement_cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        return compiled.make_rows(compiled.compiler, fetched)

    def _compiled_for(self, connection, iterable: type) -> _Compiled:
        # Kept on the connection object itself: a compiler holds its connection, so a cache
        # anywhere else would keep every connection a thread-per-request server ever made.
        kept = connection.__dict__.setdefault("prepared_queries", {})
        key = (self, get_language(), iterable)
        compiled = kept.get(key)
        if compiled is None:
            compiled = kept[key] = self._compile(connection, iterable)
        return compiled

    def _compile(self, connection, iterable: type) -> _Compiled:
        compilations = []
        for base in _MARKERS:
            markers = {name: base + index for index, name in enumerate(self.names)}
            queryset = self.build(**markers)
            if queryset._iterable_class is not iterable:
                kind = "model instances" if iterable is ModelIterable else "values_list()"
                raise ImproperlyConfigured(f"{self.build!r} must give a QuerySet of {kind}")
            compiler = queryset.query.get_compiler(using=self.using)
            sql, params = compiler.as_sql()
            compilations.append((markers, compiler, sql, list(params)))
        (first, compiler, sql, params), (second, _, other_sql, other_params) = compilations
        if sql != other_sql or len(params) != len(other_params):
            raise ImproperlyConfigured(f"{self.build!r} compiles differently for other values")
        by_marker = {value: name for name, value in first.items()}
        slots = []
        for position, (value, other) in enumerate(zip(params, other_params, strict=True)):
            name = by_marker.get(value) if isinstance(value, int) else None
            if name is not None and other == second[name]:
                slots.append((position, name))
            elif value != other:
                raise ImproperlyConfigured(
                    f"{self.build!r} depends on something besides its parameters "
                    f"(SQL parameter {position}: {value!r}, then {other!r})"
                )
        missing = set(self.names) - {name for _position, name in slots}
        inlined = [name for name, value in first.items() if str(value) in sql]
        if missing or inlined:
            raise ImproperlyConfigured(
                f"{self.build!r}: parameters not passed to the database as such: "
                f"{sorted(missing | set(inlined))}"
            )
        make_rows = _model_rows(compiler) if iterable is ModelIterable else _value_rows
        return _Compiled(sql, params, slots, compiler, make_rows)


def _converted(compiler, fetched: list):
    """The rows as ``results_iter`` gives them, the converters found once."""
    converters = getattr(compiler, "_prepared_converters", None)
    if converters is None:
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        converters = compiler._prepared_converters = compiler.get_converters(fields)
    return compiler.apply_converters(fetched, converters) if converters else fetched


def _value_rows(compiler, fetched: list) -> list[tuple]:
    return [tuple(row) for row in _converted(compiler, fetched)]


def _model_rows(compiler) -> Callable[[Any, list], list]:
    """What ``ModelIterable`` does with the rows, its setup done once."""
    select, klass_info = compiler.select, compiler.klass_info
    annotation_col_map = compiler.annotation_col_map
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    db = compiler.using
    # A populator keeps only where its model's columns are: shared by every call.
    populators = get_related_populators(klass_info, select, db)

    def make_rows(compiler, fetched: list) -> list:
        objects = []
        for row in _converted(compiler, fetched):
            obj = model.from_db(db, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in (annotation_col_map or {}).items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    return make_rows


if psycopg is not None:

    class _PreparingCursor(psycopg.Cursor):
        """Binds parameters on the server and prepares every statement it runs: psycopg keeps
        the connection's prepared statements by SQL text and parameter types."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)


class _LoggedStatements(CursorDebugWrapper):
    """Logs (DEBUG, query counting) each statement with its values in place, as Django logs
    its own queries: a prepared statement has no such text to read back."""

    def execute(self, sql, params=None):
        try:
            shown = self.db.ops.compose_sql(sql, params)
        except DataError:  # as Django's own logging does: the statement as it is
            shown = sql
        with self.debug_sql(shown, params):
            return CursorWrapper.execute(self, sql, params)


def prepares_statements(connection) -> bool:
    """Whether ``statement_cursor`` prepares on this connection: PostgreSQL, with psycopg's
    preparing left on (``PREPARED_STATEMENTS`` in the settings; Django turns it off unless
    asked, for connection poolers that cannot keep prepared statements)."""
    if connection.vendor != "postgresql" or psycopg is None:
        return False
    threshold = connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold")
    return threshold is not None


@contextmanager
def statement_cursor(connection) -> Iterator[Any]:
    """``connection.cursor()``, but on PostgreSQL (``prepares_statements``) each statement is
    prepared once per connection and run with its new parameters after that.

    Only for SQL whose text is the same on every call, its values passed as parameters
    (``PreparedQuery``, the answer's statement): each distinct text stays prepared, up to
    psycopg's ``prepared_max`` per connection. Django's own cursors bind on the client and
    never prepare, so the rest of the app is unchanged. The parameters are bound on the
    server, where PostgreSQL must infer each one's type: a query with a parameter in its
    GROUP BY, or an untyped NULL in a SELECT list, fails there (Django ticket #34255); the
    tests run every prepared query on PostgreSQL.
    """
    if not prepares_statements(connection):
        with connection.cursor() as cursor:
            yield cursor
        return
    # What connection.cursor() does before making its cursor: a kept connection is checked
    # once per request, opened if need be, and used only by its own thread.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = _PreparingCursor(connection.connection)
    cursor = (
        _LoggedStatements(raw, connection)
        if connection.queries_logged
        else connection.make_cursor(raw)
    )
    with cursor:
        yield cursor
