"""Where a workspace or an export lives: a local folder, or a prefix on S3-compatible object storage.

LanceDB reads and writes the tables itself, on both: `lancedb.connect("s3://bucket/prefix/lancedb")` takes
its endpoint, keys and region from the standard AWS variables (`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`,
`AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ALLOW_HTTP=true` for a plain-HTTP endpoint). McDewey never has
flags or files of its own for credentials.

What this module adds around the tables, for object storage:

- `ObjectPath`: the few `pathlib.Path` operations the workspace and the export use (`/`, `exists`,
  `read_text`, `write_text`, `glob`, ...) over S3 objects, so `store.py` and `export.py` keep one code path.
  The small JSON objects (manifests, the export pointer, the writer lease) go through boto3: it reads the
  same AWS variables as LanceDB, and it offers S3's conditional writes (`If-None-Match`, `If-Match`),
  which the writer lease needs and which neither pyarrow's S3FileSystem nor fsspec expose.
- `write_pointer` / `export_root`: object storage has no rename, so an export's `current` is a pointer
  object `current.json` written last, after the version it names is complete.
- `ObjectLease`: one writer per index on object storage, as `fcntl.flock` gives on local disk.
- The embedding cache (SQLite) and the model cache stay on local disk (mcdewey.paths.cache_dir).
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import re
import shutil
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

_REMOTE_RE = re.compile(r"^(s3|gs|az|abfs|gcs)(:/+)(.*)$")
POINTER = "current.json"
LEASE_SECONDS = float(os.environ.get("MCDEWEY_LEASE_SECONDS", 60))


def is_remote(location) -> bool:
    """True for an object-storage URI (`s3://bucket/prefix`; also as a `Path` that folded `//` into `/`)."""
    return isinstance(location, ObjectPath) or bool(_REMOTE_RE.match(str(location)))


def location(value) -> "Path | ObjectPath":
    """A local `Path`, or an `ObjectPath` for `s3://...`.

    The CLI's path options turn `s3://bucket/x` into `Path("s3:/bucket/x")`; the URI is rebuilt from that.
    """
    if isinstance(value, ObjectPath):
        return value
    match = _REMOTE_RE.match(str(value))
    if not match:
        return Path(value)
    scheme, _, rest = match.groups()
    if scheme != "s3":
        raise ValueError(f"{value}: only s3:// object storage is supported (for Google Cloud Storage, use its "
                         "S3-compatible endpoint: AWS_ENDPOINT_URL=https://storage.googleapis.com with HMAC keys)")
    bucket, _, key = rest.partition("/")
    return ObjectPath(bucket, key.strip("/"))


_CLIENT = None
_CLIENT_LOCK = threading.Lock()


def s3_client():
    """One boto3 S3 client per process, configured by the standard AWS variables only."""
    global _CLIENT
    with _CLIENT_LOCK:
        if _CLIENT is None:
            try:
                import boto3
            except ImportError:
                raise ImportError("object storage needs boto3: pip install 'mcdewey[s3]'") from None
            _CLIENT = boto3.client("s3")
        return _CLIENT


def _missing(exc) -> bool:
    code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
    return code in ("404", "NoSuchKey", "NotFound")


@dataclass(frozen=True)
class _Stat:
    st_mtime_ns: int  # a change token (from the ETag), not a time: enough for "did it change"


@dataclass(frozen=True)
class ObjectPath:
    """`s3://bucket/key` with the subset of `pathlib.Path` McDewey uses; "folders" are key prefixes."""

    bucket: str
    key: str = ""

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}" if self.key else f"s3://{self.bucket}"

    def __truediv__(self, part) -> "ObjectPath":
        part = str(part).strip("/")
        return ObjectPath(self.bucket, f"{self.key}/{part}" if self.key else part)

    @property
    def name(self) -> str:
        return PurePosixPath(self.key).name

    @property
    def parent(self) -> "ObjectPath":
        parent = str(PurePosixPath(self.key).parent)
        return ObjectPath(self.bucket, "" if parent == "." else parent)

    def with_name(self, name: str) -> "ObjectPath":
        return self.parent / name

    def resolve(self) -> "ObjectPath":
        return self

    def is_symlink(self) -> bool:
        return False

    def _prefix(self) -> str:
        return f"{self.key}/" if self.key else ""

    def _keys(self, limit: int | None = None):
        paginator = s3_client().get_paginator("list_objects_v2")
        seen = 0
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self._prefix()):
            for obj in page.get("Contents", []):
                yield obj["Key"]
                seen += 1
                if limit and seen >= limit:
                    return

    def is_file(self) -> bool:
        try:
            s3_client().head_object(Bucket=self.bucket, Key=self.key)
            return True
        except Exception as exc:
            if _missing(exc):
                return False
            raise

    def is_dir(self) -> bool:
        return any(True for _ in self._keys(limit=1))

    def exists(self) -> bool:
        return self.is_file() or self.is_dir()

    def mkdir(self, parents: bool = False, exist_ok: bool = False) -> None:
        """Prefixes need no creating."""

    def iterdir(self):
        names = {k[len(self._prefix()):].split("/", 1)[0] for k in self._keys()}
        return iter(sorted(self / n for n in names if n))

    def __lt__(self, other: "ObjectPath") -> bool:
        return str(self) < str(other)

    def glob(self, pattern: str):
        depth = pattern.count("/") + 1
        for key in self._keys():
            rel = key[len(self._prefix()):]
            if rel.count("/") + 1 == depth and fnmatch.fnmatchcase(rel, pattern):
                yield self / rel

    def read_bytes(self) -> bytes:
        try:
            return s3_client().get_object(Bucket=self.bucket, Key=self.key)["Body"].read()
        except Exception as exc:
            if _missing(exc):
                raise FileNotFoundError(str(self)) from None
            raise

    def read_text(self) -> str:
        return self.read_bytes().decode()

    def write_text(self, text: str) -> None:
        """One PUT: readers see the old object or the new one, never a part (S3 is strongly consistent)."""
        self.write_bytes(text.encode())

    def write_bytes(self, data: bytes) -> None:
        s3_client().put_object(Bucket=self.bucket, Key=self.key, Body=data)

    def stat(self) -> _Stat:
        try:
            etag = s3_client().head_object(Bucket=self.bucket, Key=self.key)["ETag"].strip('"')
        except Exception as exc:
            if _missing(exc):
                raise FileNotFoundError(str(self)) from None
            raise
        return _Stat(int(re.sub(r"[^0-9a-f]", "", etag)[:15] or "0", 16))

    def unlink(self, missing_ok: bool = False) -> None:
        s3_client().delete_object(Bucket=self.bucket, Key=self.key)


def remove_tree(path) -> None:
    """`shutil.rmtree` for a folder or an object prefix (errors ignored: what is left is garbage, not harm)."""
    if not is_remote(path):
        shutil.rmtree(path, ignore_errors=True)
        return
    client = s3_client()
    keys = list(location(path)._keys())
    for i in range(0, len(keys), 1000):
        client.delete_objects(Bucket=path.bucket, Delete={"Objects": [{"Key": k} for k in keys[i:i + 1000]]})


# --- exports: the `current` pointer -------------------------------------------------------------------

def write_pointer(to: ObjectPath, version_dir: ObjectPath) -> None:
    """Make `version_dir` the export's current version: one PUT of `current.json`, written last."""
    rel = version_dir.key[len(to._prefix()):]
    (to / POINTER).write_text(json.dumps({"version": rel, "written_at": time.time()}))


def export_root(path):
    """The folder of an export's current version: through the `current` symlink locally, through the
    `current.json` pointer on object storage, or `path` itself (an export from before versions)."""
    path = location(path)
    if is_remote(path):
        pointer = path / POINTER
        return path / json.loads(pointer.read_text())["version"] if pointer.is_file() else path
    current = path / "current"
    return current.resolve() if current.exists() else path


# --- one writer per index on object storage -------------------------------------------------------------

class LeaseHeld(RuntimeError):
    """Another writer holds a live lease on the index."""


class ObjectLease:
    """An exclusive, expiring lease: the object `<index>/.lock`, created with `If-None-Match: *`.

    The holder renews it every LEASE_SECONDS / 3 (a conditional PUT on its own ETag); a writer that died
    leaves a lease that expires after LEASE_SECONDS, and the next writer takes it over, again with a
    conditional PUT, so of two writers racing for an expired lease only one wins.
    """

    def __init__(self, path: ObjectPath, seconds: float = LEASE_SECONDS):
        self.path = path
        self.seconds = seconds
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._etag: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lost = False

    def _body(self) -> bytes:
        return json.dumps({"owner": self.owner, "expires_at": time.time() + self.seconds}).encode()

    def _put(self, **condition) -> bool:
        from botocore.exceptions import ClientError

        try:
            out = s3_client().put_object(Bucket=self.path.bucket, Key=self.path.key, Body=self._body(), **condition)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "ConditionalRequestConflict", "412"):
                return False
            raise
        self._etag = out["ETag"]
        return True

    def acquire(self) -> None:
        if self._put(IfNoneMatch="*"):
            return self._start()
        head = s3_client().get_object(Bucket=self.path.bucket, Key=self.path.key)
        holder = json.loads(head["Body"].read())
        if holder.get("expires_at", 0) > time.time():
            raise LeaseHeld(holder.get("owner", "?"))
        if not self._put(IfMatch=head["ETag"]):  # someone else took the expired lease first
            raise LeaseHeld("another writer")
        self._start()

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._renew, daemon=True)
        self._thread.start()

    def _renew(self) -> None:
        while not self._stop.wait(self.seconds / 3) and self.renew():
            pass

    def renew(self) -> bool:
        """Extend the lease; False (and `lost`) when another writer has taken it over meanwhile."""
        if not self._put(IfMatch=self._etag):
            self.lost = True
        return not self.lost

    def release(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        if not self.lost:
            with contextlib.suppress(Exception):
                s3_client().delete_object(Bucket=self.path.bucket, Key=self.path.key)


@contextlib.contextmanager
def object_index_lock(folder: ObjectPath, name: str, busy: type[Exception]):
    """`store.index_lock` on object storage: the lease object `<folder>/.lock`; raises `busy` when held."""
    lease = ObjectLease(folder / ".lock")
    try:
        lease.acquire()
    except LeaseHeld as exc:
        raise busy(f"another process is changing index {name!r} ({exc}, lease {folder / '.lock'}); "
                   f"wait for it to finish, or, if it died, for its lease to expire ({lease.seconds:.0f} s)") from None
    try:
        yield lease
    finally:
        lease.release()
