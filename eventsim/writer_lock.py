"""One writer per output file: a lock beside the file, and the temporary files of killed writers.

A writer (a streaming recorder, ``save_recordings``) holds an exclusive
``flock`` on the hidden file ``.<name>.lock`` beside its target for as long
as it writes.  A second writer -- another process, or another kernel of this
one -- is refused with :class:`FileInUse`, naming the file and the process
holding it.  The operating system releases the lock of a process that dies,
even by ``kill -9``, so a lock never outlives its writer.

Writers create their data in hidden temporary files ``.<name>.<random>.tmp``
beside the target.  Once a writer holds the lock, such files can only be
left over from writers that were killed; :meth:`WriterLock.acquire` removes
them and warns, naming them and their size.
"""

import errno
import fcntl
import os
import warnings
from pathlib import Path

__all__ = ["WriterLock", "FileInUse", "LeftoverFilesRemoved"]


class FileInUse(OSError):
    """Another live run is writing the file (``errno.EBUSY``)."""


class LeftoverFilesRemoved(UserWarning):
    """Temporary files of a killed run were found beside a target and removed."""


class WriterLock:
    """Exclusive right to write the file `path` (str or os.PathLike).

    Use :meth:`acquire` and :meth:`release`, or ``with WriterLock(path):``.
    """

    def __init__(self, path):
        self.target = Path(os.fspath(path)).absolute()
        """The file written (pathlib.Path)."""
        self.lock_path = self.target.with_name(f".{self.target.name}.lock")
        """The lock file beside it (pathlib.Path)."""
        self._fd = None

    @property
    def held(self):
        """True while this object holds the lock."""
        return self._fd is not None

    def acquire(self):
        """Take the lock, then remove temporary files that killed writers left beside the target.

        Raises
        ------
        FileInUse
            If another writer holds the lock.
        OSError
            If the lock file cannot be created.
        """
        if self._fd is not None:
            return self
        while True:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_pid(fd)
                os.close(fd)
                who = f"process {holder}" if holder else "another process"
                if holder == os.getpid():
                    who = "this process (another kernel, or a recorder of this kernel streaming to it)"
                raise FileInUse(errno.EBUSY, f"{str(self.target)!r} is being written by {who}; two runs must "
                                             "not write one file: choose another filename or wait for that run "
                                             "to end") from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.lock_path).st_ino
            except FileNotFoundError:
                same = False
            if same:      # not a lock file that its last holder unlinked while we waited for it
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        self._remove_leftovers()
        return self

    def _remove_leftovers(self):
        prefix = f".{self.target.name}."
        found = [p for p in self.target.parent.iterdir()
                 if p.name.startswith(prefix) and p.name.endswith(".tmp") and p.is_file()]
        removed = []
        for p in found:
            try:
                size = p.stat().st_size
                p.unlink()
                removed.append(f"{p.name} ({size / 2 ** 20:.1f} MB)")
            except FileNotFoundError:
                pass
        if removed:
            warnings.warn(f"removed {len(removed)} temporary file(s) left beside {str(self.target)!r} by a run "
                          f"that was killed: {', '.join(removed)}", LeftoverFilesRemoved, stacklevel=3)

    def release(self):
        """Give the lock up (and remove the lock file)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.unlink(self.lock_path)
        except OSError:
            pass
        os.close(fd)

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()
        return False


def _read_pid(fd):
    """The process id written in an open lock file, or None."""
    try:
        text = os.pread(fd, 32, 0).decode().strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None
