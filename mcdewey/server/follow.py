"""An export served through its `current` pointer: a re-export is picked up without a restart.

Several `mcdewey serve` processes read one export (a folder, or an s3:// prefix). `mcdewey export` writes a
new version beside the old ones and then swaps `current` (a symlink, or the pointer object `current.json`
on object storage); it keeps the previous version (export.KEEP_VERSIONS) so a server still reading it keeps
working. Each server looks at `current` at most every CHECK_SECONDS, opens and warms the new version in a
background thread, and only then switches: no request waits for the switch or sees half of two versions.
"""

from __future__ import annotations

import os
import threading
import time

from mcdewey.storage import export_root, location

CHECK_SECONDS = float(os.environ.get("MCDEWEY_FOLLOW_SECONDS", 2.0))


class FollowingIndex:
    """A `store.Index` of an export that switches to the export's newest version once it is ready."""

    def __init__(self, path, check_seconds: float = CHECK_SECONDS):
        from mcdewey.store import open_index

        self.path = location(path)
        self.check_seconds = check_seconds
        self._open = open_index
        self._index = open_index(self.path)
        self._checked = time.monotonic()
        self._switching = threading.Lock()

    @property
    def root(self):
        """The version folder being served."""
        return location(self._index.db_path).parent

    def current(self):
        """The index to answer this request with; starts a switch when `current` moved on."""
        if time.monotonic() - self._checked >= self.check_seconds and self._switching.acquire(blocking=False):
            self._checked = time.monotonic()
            threading.Thread(target=self._follow, daemon=True).start()
        return self._index

    def _follow(self) -> None:
        try:
            if export_root(self.path) != self.root:
                index = self._open(self.path)
                index.count()
                index.prewarm()  # load before switching, so the first request is not the slow one
                self._index = index
        except Exception:  # a half-written or vanished version: keep serving the one we have
            pass
        finally:
            self._switching.release()

    def __getattr__(self, name):
        return getattr(self.current(), name)
