"""An index's manifest: how it was built (its `ChunkingSpec`), what it holds, and the table versions it commits to.

This is the one module that spells the keys of `manifest.json`. Everything else reads typed fields.
`Manifest.from_dict` reads every manifest written so far: version 1 (no `version` key, written before
this module existed) and version 2. Keys it does not know are kept in `extra` and written back, so a
newer McDewey's manifest survives a round trip through an older one.

`ChunkingSpec.resolve` is the one rule that turns (strategy, parameters, model, backend) into the
recorded set-up; `ChunkingSpec.index_name` is the one rule that names the index of a set-up. The CLI,
the grid, `Lab` and the notebooks all go through both.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path, PurePath
from typing import Any, Literal, get_args

MANIFEST_VERSION = 2
FileStatus = Literal["indexed", "skipped", "error"]
FILE_STATUSES: tuple[str, ...] = get_args(FileStatus)


class ManifestError(ValueError):
    """A manifest.json that cannot be read."""


# ---- the set-up ------------------------------------------------------------------------------------

_ABBREV = {"max_tokens": "mt", "min_tokens": "mn", "overlap": "ov", "context": "ctx", "model": "tok",
           "breakpoint_percentile": "bp"}


@dataclass(frozen=True)
class ChunkingSpec:
    """How a library is chunked and embedded: strategy, every chunker parameter, model, backend."""

    strategy: str
    params: dict
    model: str
    backend: str

    @classmethod
    def resolve(cls, strategy: str = "recursive", params: dict | None = None, model: str | None = None,
                backend: str | None = None) -> "ChunkingSpec":
        """The one rule. Parameters are completed with the strategy's defaults; a strategy that counts
        tokens (or embeds sentences) gets `model` unless the model is the bundled one (the chunkers'
        default) or the fake test embedder (chunks then count in the bundled tokenizer, as in every index
        built so far, so old workspaces keep their set-up; pass params={"model": "fake"} to change that)."""
        from mcdewey.chunking import chunker_params, get_chunker, strategy_fields
        from mcdewey.embeddings import BUNDLED_MODEL, FAKE_MODEL, FAST_MODEL, canonical_backend, canonical_model

        params = dict(params or {})
        name = canonical_model(model)  # the fast model tokenizes like the bundled one: the same chunks
        if name not in (BUNDLED_MODEL, FAKE_MODEL, FAST_MODEL) and "model" in strategy_fields(strategy):
            params.setdefault("model", name)
        return cls(strategy, chunker_params(get_chunker(strategy, **params)), name, canonical_backend(model, backend))

    def chunker(self):
        """The chunker this spec describes."""
        from mcdewey.chunking import get_chunker

        return get_chunker(self.strategy, **self.params)

    def to_dict(self) -> dict:
        return {"strategy": self.strategy, "params": dict(self.params), "model": self.model, "backend": self.backend}

    def differences(self, other: "ChunkingSpec") -> str:
        """What differs from `other`, e.g. "params: {...} -> {...}" ("" when the same set-up)."""
        mine, theirs = self.to_dict(), other.to_dict()
        return ", ".join(f"{k}: {mine[k]!r} -> {theirs[k]!r}" for k in mine if mine[k] != theirs[k])

    def index_name(self, library: Path | str) -> str:
        """A readable, stable name: the parameters that differ from the strategy's defaults, then a hash
        of the library folder and the whole spec (libraries, models and backends never share a name)."""
        from mcdewey.chunking import strategy_fields

        defaults = strategy_fields(self.strategy)
        shown = {k: v for k, v in sorted(self.params.items()) if defaults.get(k, object()) != v}
        key = json.dumps([str(Path(library).resolve()), self.to_dict()], sort_keys=True)
        digest = hashlib.sha1(key.encode()).hexdigest()[:6]
        parts = [f"{_abbrev(k)}{_value(v)}" for k, v in shown.items()]
        readable = re.sub(r"[^A-Za-z0-9_.-]+", "", "-".join([self.strategy, *parts]))[:60]
        return f"grid-{readable}-{digest}"


def _abbrev(key: str) -> str:
    return _ABBREV.get(key) or ("".join(w[0] for w in key.split("_")) if "_" in key else key[:4])


def _value(v) -> str:
    return {True: "y", False: "n", None: "none"}.get(v, str(v)) if isinstance(v, (bool, type(None))) else str(v)


# ---- what the index holds ----------------------------------------------------------------------------

@dataclass(frozen=True)
class FileEntry:
    """One library file as the last ingest left it: indexed (with what it holds), skipped or in error."""

    fingerprint: str
    status: FileStatus
    reason: str | None = None
    doc_id: str | None = None
    vendor: str | None = None
    product: str | None = None
    version: str | None = None
    title: str | None = None
    pages: int = 0
    chunks: int = 0

    @property
    def indexed(self) -> bool:
        return self.status == "indexed"

    @classmethod
    def from_dict(cls, data: dict) -> "FileEntry":
        if data.get("status") not in FILE_STATUSES:
            raise ManifestError(f"file status {data.get('status')!r} is not one of {', '.join(FILE_STATUSES)}")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_dict(self) -> dict:
        if not self.indexed:
            return {"fingerprint": self.fingerprint, "status": self.status, "reason": self.reason}
        return {"fingerprint": self.fingerprint, "status": self.status, "doc_id": self.doc_id,
                "vendor": self.vendor, "product": self.product, "version": self.version, "title": self.title,
                "pages": self.pages, "chunks": self.chunks}


@dataclass(frozen=True)
class Counts:
    documents: int = 0
    chunks: int = 0
    pages: int = 0
    skipped: int = 0

    @classmethod
    def of(cls, files: dict[str, FileEntry]) -> "Counts":
        indexed = [f for f in files.values() if f.indexed]
        return cls(len(indexed), sum(f.chunks for f in indexed), sum(f.pages for f in indexed),
                   sum(not f.indexed for f in files.values()))


@dataclass(frozen=True)
class Tables:
    """The chunk table, the passages table (copies of a passage across versions), and the versions of
    them the manifest commits to."""

    chunks: str
    chunks_version: int | None = None
    passages: str | None = None
    passages_version: int | None = None

    def to_dict(self) -> dict:
        out = {"chunks": self.chunks, "chunks_version": self.chunks_version}
        if self.passages:
            out.update(passages=self.passages, passages_version=self.passages_version)
        return out


# Keys of a manifest this module reads into fields; anything else goes to `extra`.
_KNOWN = {"version", "name", "strategy", "params", "model", "backend", "dim", "library", "counts", "built_at",
          "mcdewey_version", "search", "fts_fields", "last_ingest", "tables", "files", "exported_at",
          "source_index", "eval", "versions", "sources"}
# What /healthz shows of an index: the set-up and provenance, never a file-system path.
PUBLIC_KEYS = ("name", "strategy", "params", "model", "backend", "dim", "built_at", "exported_at",
               "mcdewey_version", "eval")


@dataclass(frozen=True)
class Manifest:
    """manifest.json of an index (in a workspace) or of an export."""

    name: str
    spec: ChunkingSpec
    dim: int
    tables: Tables
    files: dict[str, FileEntry] = field(default_factory=dict)
    counts: Counts = Counts()
    library_path: str | None = None  # local only: an export drops it
    library_fingerprint: str | None = None
    built_at: str | None = None
    mcdewey_version: str | None = None
    search: dict = field(default_factory=dict)  # SearchConfig.to_dict() of the code that built the index
    fts_fields: tuple[str, ...] = ("text", "search_text")
    last_ingest: dict = field(default_factory=dict)
    exported_at: str | None = None
    source_index: str | None = None
    eval: dict | None = None  # the latest eval summary (exports)
    versions: dict[str, list[str]] = field(default_factory=dict)  # product -> its versions, oldest first
    sources: str | None = None  # exports: the folder (next to the tables) with the PDFs it cites (mcdewey.pages)
    version: int = MANIFEST_VERSION
    extra: dict = field(default_factory=dict)  # keys written by another McDewey version, kept as they are

    # Compatibility: fields under the names of the untyped manifest.
    @property
    def strategy(self) -> str:
        return self.spec.strategy

    @property
    def params(self) -> dict:
        return self.spec.params

    @property
    def model(self) -> str:
        return self.spec.model

    @property
    def backend(self) -> str:
        return self.spec.backend

    @property
    def chunk_table(self) -> str:
        return self.tables.chunks

    def indexed_files(self) -> dict[str, FileEntry]:
        return {rel: f for rel, f in self.files.items() if f.indexed}

    @classmethod
    def from_dict(cls, data: dict, source: str = "manifest") -> "Manifest":
        """Read a manifest of any version so far; `source` names the file in errors."""
        version = int(data.get("version", 1))
        if version > MANIFEST_VERSION:
            raise ManifestError(f"{source} has manifest version {version}; this McDewey reads up to "
                                f"{MANIFEST_VERSION}: upgrade McDewey")
        try:
            spec = ChunkingSpec(data["strategy"], dict(data.get("params") or {}), data["model"],
                                data.get("backend") or "torch")
            library = data.get("library") or {}
            tables = data.get("tables") or {}
            files = {rel: FileEntry.from_dict(f) for rel, f in (data.get("files") or {}).items()}
            return cls(
                name=data.get("name") or "", spec=spec, dim=int(data["dim"]),
                tables=Tables(tables.get("chunks") or f"chunks__{data.get('name')}", tables.get("chunks_version"),
                              tables.get("passages"), tables.get("passages_version")),
                files=files, counts=Counts(**(data.get("counts") or {})) if data.get("counts") else Counts.of(files),
                library_path=library.get("path"), library_fingerprint=library.get("fingerprint"),
                built_at=data.get("built_at"), mcdewey_version=data.get("mcdewey_version"),
                search=dict(data.get("search") or {}), fts_fields=tuple(data.get("fts_fields") or cls.fts_fields),
                last_ingest=dict(data.get("last_ingest") or {}), exported_at=data.get("exported_at"),
                source_index=data.get("source_index"), eval=data.get("eval"), version=MANIFEST_VERSION,
                versions={p: list(v) for p, v in (data.get("versions") or {}).items()},
                sources=data.get("sources"),
                extra={k: v for k, v in data.items() if k not in _KNOWN},
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ManifestError):
                raise ManifestError(f"{source}: {exc}") from None
            raise ManifestError(f"{source} is not a McDewey manifest ({type(exc).__name__}: {exc}); "
                                f"rebuild the index with `mcdewey ingest ... --replace`") from None

    @classmethod
    def read(cls, path) -> "Manifest":
        """Read manifest.json from a local `Path` or an object-storage path (mcdewey.storage)."""
        path = path if hasattr(path, "read_text") else Path(path)
        return cls.from_dict(json.loads(path.read_text()), str(path))

    def to_dict(self, files: bool = True) -> dict:
        """The JSON form (without the per-file table when `files` is off: reports, listings)."""
        out = {
            "version": self.version, "name": self.name, **self.spec.to_dict(), "dim": self.dim,
            "library": {"path": self.library_path, "fingerprint": self.library_fingerprint},
            "counts": vars(self.counts).copy(), "built_at": self.built_at,
            "mcdewey_version": self.mcdewey_version, "search": dict(self.search),
            "fts_fields": list(self.fts_fields), "last_ingest": dict(self.last_ingest),
            "tables": self.tables.to_dict(),
        }
        if self.exported_at is not None:
            out.update(exported_at=self.exported_at, source_index=self.source_index, eval=self.eval)
        if self.versions:
            out["versions"] = {p: list(v) for p, v in self.versions.items()}
        if self.sources is not None:
            out["sources"] = self.sources
        out.update(self.extra)
        if files:
            out["files"] = {rel: f.to_dict() for rel, f in self.files.items()}
        return out

    def public(self) -> dict:
        """What may leave the machine (/healthz): the set-up and provenance, no file-system paths."""
        shown = self.to_dict(files=False)
        out = {k: shown[k] for k in PUBLIC_KEYS if shown.get(k) is not None}
        out["model"] = public_model(self.model)
        if self.eval:
            out["eval"] = _public_eval(self.eval)
        out["library_fingerprint"] = self.library_fingerprint
        return out

    def exported(self, index: str, table_version: int, eval_summary: dict | None, when: str,
                 passages: bool = False) -> "Manifest":
        """This manifest as an export carries it: indexed files only, no local paths, its own tables."""
        spec = replace(self.spec, model=public_model(self.model))
        tables = Tables("chunks", table_version, "passages" if passages else None)
        return replace(self, spec=spec, files=self.indexed_files(), tables=tables,
                       library_path=None, exported_at=when, source_index=index,
                       eval=_public_eval(eval_summary) if eval_summary else None)

    # Compatibility with code that read the untyped manifest (the `get` of a dict); prefer the fields.
    def get(self, key: str, default: Any = None) -> Any:
        return self.to_dict(files=key == "files").get(key, default)

    def __getitem__(self, key: str) -> Any:
        data = self.to_dict(files=key == "files")
        if key not in data:
            raise KeyError(key)
        return data[key]


def public_model(model: str) -> str:
    """A model named by a local folder is shown by the folder's name only; hub names and aliases as they are."""
    return PurePath(model).name if PurePath(model).is_absolute() else model


def _public_eval(summary: dict) -> dict:
    """An eval summary with its query-set paths reduced to file names."""
    out = dict(summary)
    if out.get("queries_path"):
        out["queries_path"] = PurePath(str(out["queries_path"])).name
    if isinstance(out.get("runs"), dict):
        out["runs"] = {_public_run_key(k): _public_eval(v) if isinstance(v, dict) else v
                       for k, v in out["runs"].items()}
    return out


def _public_run_key(key: str) -> str:
    path, sep, mode = key.rpartition("::")
    return f"{PurePath(path).name}{sep}{mode}" if sep else PurePath(key).name
