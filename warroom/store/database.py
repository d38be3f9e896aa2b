"""Engines and sessions for SQLite and PostgreSQL, and database errors turned into sentences."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy.exc
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from warroom.domain.errors import WarroomError
from warroom.store.config import mask_url

#: Filesystems on which SQLite's WAL locking does not work between computers.
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "fuse.sshfs",
        "9p",
        "afs",
        "ceph",
        "glusterfs",
        "fuse.glusterfs",
        "davfs",
        "fuse.rclone",
    }
)


#: Every PostgreSQL transaction that may append events holds this advisory lock (shared, so
#: writers never wait on each other) from its first statement. Feed readers use it to tell
#: this database's writers from the rest of the cluster: a long transaction of another
#: application, or in another database, must not hold warroom's live updates back.
WRITER_LOCK = (0x77617272, 0x6F6F6D01)  # "warr", "oom" + 1: warroom's own pair of keys


def take_writer_lock(connection: Connection) -> None:
    """Declare the connection's transaction an event writer (PostgreSQL); first thing."""
    connection.execute(
        text("SELECT pg_advisory_xact_lock_shared(:key1, :key2)"),
        {"key1": WRITER_LOCK[0], "key2": WRITER_LOCK[1]},
    )


class DatabaseUnavailableError(WarroomError):
    """The database cannot be reached right now; trying again later may work."""


class NoDatabaseError(WarroomError):
    """The SQLite file does not exist, and this caller may not create one."""


class Database:
    """One database, two engines.

    On SQLite, writes start with ``BEGIN IMMEDIATE`` so a transaction that reads before it
    writes waits for the lock (busy timeout) instead of failing with "database is locked";
    reads use a second engine with ordinary deferred transactions so they never block writers.
    On PostgreSQL both are the same engine.
    """

    def __init__(self, url: URL, *, echo: bool = False, create: bool = True) -> None:
        """``create=False`` refuses a SQLite file that is not there yet instead of making it."""
        self.url = url
        self.dialect = url.get_backend_name()
        if self.dialect == "sqlite":
            if url.database and url.database != ":memory:":
                refuse_network_filesystem(Path(url.database).expanduser())
            _prepare_sqlite_file(url, create=create)
            self.engine = _sqlite_engine(url, immediate=True, echo=echo)
            self.read_engine = _sqlite_engine(url, immediate=False, echo=echo)
        else:
            self.engine = create_engine(
                url,
                echo=echo,
                pool_pre_ping=True,
                pool_size=5,
                max_overflow=5,
                connect_args={"connect_timeout": 5, "application_name": "warroom"},
            )
            self.read_engine = self.engine
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def is_postgresql(self) -> bool:
        return self.dialect == "postgresql"

    @property
    def display_url(self) -> str:
        return mask_url(self.url)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any exception.

        On PostgreSQL it first takes :data:`WRITER_LOCK`, before the transaction has an id,
        so a feed reader that does not see the lock knows the transaction has none yet.
        """
        with self._sessions.begin() as session:
            if self.is_postgresql:
                take_writer_lock(session.connection())
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work that never takes the SQLite write lock."""
        with self._read_sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


def _prepare_sqlite_file(url: URL, *, create: bool) -> None:
    """Say plainly why a path cannot hold the database; make its folder only if allowed.

    SQLite would otherwise create any file it is pointed at, so a mistyped path became a new
    empty database (and its folders) that answered every question with nothing.
    """
    if not url.database or url.database == ":memory:":
        return
    path = Path(url.database)
    if path.is_dir():
        raise WarroomError(
            f"{path} is a folder, not a database file; name the file, e.g. "
            f"sqlite:///{path / 'warroom.db'}"
        )
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise WarroomError(
                    f"{path} cannot be a database: {parent} is a file, not a folder."
                )
            break
    if path.exists():
        return
    if not create:
        hint = (
            ""
            if path.is_absolute()
            else "; sqlite:/// with three slashes is relative to the "
            "current folder, sqlite://// with four starts at /"
        )
        raise NoDatabaseError(
            f"There is no warroom database at {path.absolute()} (check the path{hint}); "
            "`warroom db upgrade` creates an empty one there, `warroom demo` one with a demo "
            "organisation."
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WarroomError(
            f"Cannot create the folder {path.parent} for the SQLite database ({exc.strerror})."
        ) from None


def _sqlite_engine(url: URL, *, immediate: bool, echo: bool) -> Engine:
    engine = create_engine(url, echo=echo, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


MOUNTS = Path("/proc/mounts")
#: /proc/mounts writes a space in a mount point as \040 (tab \011, backslash \134...).
_OCTAL_ESCAPE = re.compile(r"\\([0-7]{3})")


def refuse_network_filesystem(path: Path, mounts: Path = MOUNTS) -> None:
    """SQLite's locks do not work between computers: refuse a file on a network share."""
    fstype = filesystem_type(path, mounts)
    if fstype in NETWORK_FILESYSTEMS:
        raise WarroomError(
            f"The SQLite database {path} is on a network filesystem ({fstype}); SQLite "
            "cannot be shared between computers safely. Keep it on a local disk, or give the "
            "team a PostgreSQL database (--database postgresql://...)."
        )


def filesystem_type(path: Path, mounts: Path = MOUNTS) -> str | None:
    """The type of the filesystem holding ``path``, from /proc/mounts (Linux only).

    The deepest mount point above the path wins, and of several mounted on the same point
    the last listed, which is the one on top (an automounter lists ``autofs`` first and the
    real ``nfs`` mount after it).
    """
    if not mounts.exists():
        return None
    target = path.resolve()
    while not target.exists() and target != target.parent:
        target = target.parent
    target_str = os.fspath(target)
    best, best_type = "", None
    for line in mounts.read_text(errors="replace").splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = _OCTAL_ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), parts[1])
        is_under = target_str == mount_point or target_str.startswith(mount_point.rstrip("/") + "/")
        if is_under and len(mount_point) >= len(best):
            best, best_type = mount_point, parts[2]
    return best_type


def explain_database_error(exc: BaseException, url: URL) -> WarroomError:
    """One sentence for a failure to reach or use the database, for a person to act on."""
    if isinstance(exc, WarroomError):
        return exc
    shown = mask_url(url)
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc) else ""
    lowered = text.lower()
    if isinstance(exc, sqlalchemy.exc.NoSuchModuleError | ModuleNotFoundError):
        return WarroomError(f"No database driver for {shown}: {text}")
    if url.get_backend_name() == "postgresql":
        where = f"{url.host or 'localhost'}:{url.port or 5432}"
        if "password authentication failed" in lowered or "no password supplied" in lowered:
            return WarroomError(
                f"PostgreSQL at {where} refused the password for user '{url.username}'; "
                "run `warroom login` to store the right one."
            )
        if "does not exist" in lowered and "database" in lowered:
            return WarroomError(
                f"PostgreSQL at {where} has no database '{url.database}'; create it "
                f"(createdb {url.database}) or fix the URL, then run `warroom db upgrade`."
            )
        if "role" in lowered and "does not exist" in lowered:
            return WarroomError(
                f"PostgreSQL at {where} has no user '{url.username}'; ask the database "
                "administrator for a login or fix the URL."
            )
        if isinstance(exc, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError):
            return DatabaseUnavailableError(
                f"Cannot reach PostgreSQL at {where} ({text}); check that the server is running "
                "and the URL is right."
            )
    else:
        if "unable to open database file" in lowered:
            return WarroomError(
                f"Cannot open the SQLite database {url.database}: the folder does not exist "
                "or is not writable."
            )
        if "file is not a database" in lowered:
            return WarroomError(
                f"{url.database} is not a SQLite database; point --database at another file."
            )
        if "database is locked" in lowered:
            return DatabaseUnavailableError(
                f"The SQLite database {url.database} stayed locked by another program; try again."
            )
    return DatabaseUnavailableError(f"The database {shown} failed: {text}")


def database_from_url(url: URL, *, create: bool = True) -> Database:
    """A :class:`Database` whose creation failures are already sentences."""
    try:
        return Database(url, create=create)
    except WarroomError:
        raise
    except Exception as exc:  # driver import, bad options: all of them are reported
        raise explain_database_error(exc, url) from exc
