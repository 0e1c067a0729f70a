#!/usr/bin/python3
"""The kernel side of configfs-tsm (Linux Documentation/ABI/testing/configfs-tsm-report), as a
FUSE file system for tests of libtresor-pkcs11's evidence collection: mkdir report/NAME makes a
report entry with inblob, outblob, auxblob, provider and generation; a write to inblob (at most
64 bytes, else EFBIG) takes effect when the file is closed and bumps generation; reading outblob
or auxblob produces the report for the current inblob, here from the simulated SEV-SNP platform
of a `serve --dev` server (POST .../attestation/sim/reports); rmdir removes the entry.

    configfs-tsm-sim.py MOUNTPOINT DEV_DIR [--interfere | --tdx-quote FILE]
        (runs until unmounted; needs root or fusermount)

--interfere plays a second writer: after each report, generation moves on, as if another process
had written inblob meanwhile. --tdx-quote makes the provider tdx_guest, answering every request
with the recorded quote in FILE (no auxblob), which no verifier binds to a fresh nonce.
"""
import argparse
import base64
import errno
import json
import ssl
import stat
import sys
import threading
import urllib.request

from fusepy import FUSE, FuseOSError, Operations

INBLOB_MAX = 64
READABLE = ("outblob", "auxblob", "provider", "generation")


class Entry:
    def __init__(self):
        self.inblob = b""
        self.pending = None
        self.generation = 0
        self.report = None  # (generation, outblob, auxblob)


class ConfigfsTsm(Operations):
    def __init__(self, dev_dir, interfere=False, tdx_quote=None):
        self.interfere = interfere
        self.tdx_quote = tdx_quote
        with open(f"{dev_dir}/dev.json") as f:
            facts = json.load(f)
        self.url = (f"{facts['restUrl']}/v1/projects/{facts['projectId']}/regions/{facts['regionId']}"
                    "/attestation/sim/reports")
        self.token = facts["adminToken"]
        self.tls = ssl.create_default_context(cafile=f"{dev_dir}/ca.pem")
        self.entries = {}
        self.lock = threading.Lock()

    def _split(self, path):
        parts = [p for p in path.split("/") if p]
        if parts[:1] not in ([], ["report"]) or len(parts) > 3:
            raise FuseOSError(errno.ENOENT)
        return parts

    def _entry(self, name):
        entry = self.entries.get(name)
        if entry is None:
            raise FuseOSError(errno.ENOENT)
        return entry

    def getattr(self, path, fh=None):
        parts = self._split(path)
        if len(parts) <= 1:
            return dict(st_mode=stat.S_IFDIR | 0o755, st_nlink=2)
        self._entry(parts[1])
        if len(parts) == 2:
            return dict(st_mode=stat.S_IFDIR | 0o755, st_nlink=2)
        if parts[2] == "inblob":
            return dict(st_mode=stat.S_IFREG | 0o200, st_nlink=1, st_size=0)
        if parts[2] in self._readable():
            return dict(st_mode=stat.S_IFREG | 0o444, st_nlink=1, st_size=0)
        raise FuseOSError(errno.ENOENT)

    def readdir(self, path, fh):
        parts = self._split(path)
        if not parts:
            return [".", "..", "report"]
        if len(parts) == 1:
            return [".", ".."] + sorted(self.entries)
        self._entry(parts[1])
        return [".", "..", "inblob", *self._readable()]

    def mkdir(self, path, mode):
        parts = self._split(path)
        if len(parts) != 2:
            raise FuseOSError(errno.EPERM)
        with self.lock:
            if parts[1] in self.entries:
                raise FuseOSError(errno.EEXIST)
            self.entries[parts[1]] = Entry()

    def rmdir(self, path):
        parts = self._split(path)
        if len(parts) != 2:
            raise FuseOSError(errno.EPERM)
        with self.lock:
            self._entry(parts[1])
            del self.entries[parts[1]]

    def open(self, path, flags):
        parts = self._split(path)
        if len(parts) != 3:
            raise FuseOSError(errno.EISDIR)
        self.getattr(path)
        return 0

    def truncate(self, path, length, fh=None):
        parts = self._split(path)
        if len(parts) != 3 or parts[2] != "inblob":
            raise FuseOSError(errno.EACCES)

    def write(self, path, data, offset, fh):
        parts = self._split(path)
        if len(parts) != 3 or parts[2] != "inblob":
            raise FuseOSError(errno.EACCES)
        with self.lock:
            entry = self._entry(parts[1])
            current = entry.pending or b""
            if offset + len(data) > INBLOB_MAX:
                raise FuseOSError(errno.EFBIG)
            entry.pending = current[:offset].ljust(offset, b"\0") + data + current[offset + len(data):]
        return len(data)

    def release(self, path, fh):
        parts = self._split(path)
        if len(parts) == 3 and parts[2] == "inblob":
            with self.lock:
                entry = self.entries.get(parts[1])
                if entry is not None and entry.pending is not None:
                    entry.inblob, entry.pending = entry.pending, None
                    entry.generation += 1
        return 0

    def read(self, path, size, offset, fh):
        parts = self._split(path)
        if len(parts) != 3 or parts[2] not in self._readable():
            raise FuseOSError(errno.EACCES)
        with self.lock:
            entry = self._entry(parts[1])
            if parts[2] == "provider":
                data = b"tdx_guest\n" if self.tdx_quote else b"sev_guest\n"
            elif parts[2] == "generation":
                data = f"{entry.generation}\n".encode()
            else:
                data = self._report(parts[1], entry)[1 if parts[2] == "outblob" else 2]
        return data[offset:offset + size]

    def _readable(self):
        # auxblob is visible only for providers that have one (SEV-SNP's certificate table)
        return [f for f in READABLE if not (self.tdx_quote and f == "auxblob")]

    def _report(self, name, entry):
        if self.tdx_quote and (entry.report is None or entry.report[0] != entry.generation):
            with open(self.tdx_quote, "rb") as f:
                entry.report = (entry.generation, f.read(), b"")
            print(f"configfs-tsm-sim: {name}: TDX quote for generation {entry.generation}", file=sys.stderr,
                  flush=True)
        if entry.report is None or entry.report[0] != entry.generation:
            body = json.dumps({"reportData": base64.b64encode(entry.inblob.ljust(INBLOB_MAX, b"\0")).decode()})
            request = urllib.request.Request(self.url, data=body.encode(), method="POST", headers={
                "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, context=self.tls, timeout=30) as answer:
                    made = json.load(answer)
            except OSError as e:
                print(f"configfs-tsm-sim: {name}: no report: {e}", file=sys.stderr, flush=True)
                raise FuseOSError(errno.EIO)
            entry.report = (entry.generation, base64.b64decode(made["report"]),
                            base64.b64decode(made["certificates"]))
            print(f"configfs-tsm-sim: {name}: report for generation {entry.generation}", file=sys.stderr,
                  flush=True)
            if self.interfere:
                entry.generation += 1
        return entry.report


if __name__ == "__main__":
    arguments = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    arguments.add_argument("mountpoint")
    arguments.add_argument("dev_dir")
    mode = arguments.add_mutually_exclusive_group()
    mode.add_argument("--interfere", action="store_true")
    mode.add_argument("--tdx-quote")
    options = arguments.parse_args()
    FUSE(ConfigfsTsm(options.dev_dir, options.interfere, options.tdx_quote), options.mountpoint, foreground=True,
         nothreads=True, direct_io=True, attr_timeout=0, entry_timeout=0)
