"""A tiny bridge between congkhai and one warm LibreOffice, run by Debian's ``/usr/bin/python3``.

Why not ``unoserver``'s server: it sleeps a fixed 7 s at every start, cannot set a document's
title/subject/author before export (the template's properties would leak into every PDF), and
its timeout handling exits the whole server. This script is ~150 lines, imports only the
standard library and ``uno`` (Debian's python3-uno, which the venv's Python cannot import), and
speaks JSON lines on stdin/stdout:

    -> {"id": 1, "op": "convert", "src": "/a.docx", "out": "/a.pdf", "pdf_version": 2,
        "meta": {"title": "...", "subject": "...", "author": "...", "keywords": ["..."]}}
    <- {"id": 1, "ok": true, "ms": 180}
    -> {"id": 2, "op": "ping"}            <- {"id": 2, "ok": true}
    -> {"op": "quit"}

At start it prints ``{"ready": true, "soffice_pid": N}`` once LibreOffice answers on its UNO
pipe. LibreOffice runs with its own profile (``-env:UserInstallation``) and a unique pipe name,
in this script's process group, so the parent can end both with one ``killpg``. When the parent
disappears (stdin closes or the parent pid changes) the bridge ends LibreOffice and exits.

NOT imported by the congkhai package: run as a script, ``/usr/bin/python3 uno_bridge.py
--profile DIR --pipe NAME``.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time

import uno  # Debian python3-uno
from com.sun.star.beans import PropertyValue

SOFFICE = "/usr/lib/libreoffice/program/soffice"

# Import filter per extension: naming it stops LibreOffice from silently opening a corrupt
# .docx as plain text (it would then "convert" garbage without any error).
IMPORT_FILTERS = {
    ".docx": "MS Word 2007 XML",
    ".doc": "MS Word 97",
    ".odt": "writer8",
    ".rtf": "Rich Text Format",
}


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


class Bridge:
    def __init__(self, profile, pipe, out):
        self.profile = profile
        self.pipe = pipe
        self.out = out
        self.proc = None
        self.desktop = None
        self.pid = None

    def start(self, timeout=60.0):
        os.makedirs(self.profile, exist_ok=True)
        accept = f"pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        cmd = [
            SOFFICE, "--headless", "--invisible", "--nocrashreport", "--nodefault",
            "--nologo", "--nofirststartwizard", "--norestore", "--nolockcheck",
            "-env:UserInstallation=" + uno.systemPathToFileUrl(os.path.abspath(self.profile)),
            "--accept=" + accept,
        ]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=sys.stderr)
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + timeout
        url = f"uno:{accept}"
        while True:
            try:
                ctx = resolver.resolve(url)
                break
            except Exception:  # NoConnectException until LibreOffice listens
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"LibreOffice did not start (exit {self.proc.poll()})") from None
                time.sleep(0.05)
        self.desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        self.pid = self.office_pid()

    def office_pid(self):
        """The pid of soffice.bin (the real office; ``soffice`` runs it under oosplash)."""
        todo = [self.proc.pid]
        while todo:
            pid = todo.pop()
            try:
                with open(f"/proc/{pid}/comm") as fh:
                    if fh.read().strip() == "soffice.bin":
                        return pid
                for task in os.listdir(f"/proc/{pid}/task"):  # oosplash forks from another thread
                    with open(f"/proc/{pid}/task/{task}/children") as fh:
                        todo += [int(c) for c in fh.read().split()]
            except OSError:
                continue
        return self.proc.pid

    def office_gone(self, err):
        """Did this UNO error come from LibreOffice dying (not from a bad document)?"""
        if (type(err).__name__.endswith("DisposedException") or "URP bridge" in str(err)
                or self.proc.poll() is not None):
            return True
        try:
            with open(f"/proc/{self.pid}/stat") as fh:
                return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
        except OSError:
            return True

    def convert(self, req):
        src = os.path.abspath(req["src"])
        out = os.path.abspath(req["out"])
        load = [prop("Hidden", True), prop("ReadOnly", True), prop("UpdateDocMode", 0),
                prop("MacroExecutionMode", 0)]
        flt = IMPORT_FILTERS.get(os.path.splitext(src)[1].lower())
        if flt:
            load.append(prop("FilterName", flt))
        try:
            doc = self.desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, tuple(load))
        except Exception as err:  # IllegalArgumentException, IOException: the file is bad
            if self.office_gone(err):
                raise
            return {"ok": False, "kind": "load_failed", "message": f"{type(err).__name__}: {err}"}
        if doc is None:
            return {"ok": False, "kind": "load_failed", "message": "LibreOffice returned no document"}
        try:
            meta = req.get("meta") or {}
            if meta:
                props = doc.getDocumentProperties()
                props.Title = meta.get("title", "")
                props.Subject = meta.get("subject", "")
                props.Author = meta.get("author", "")
                props.Description = meta.get("subject", "")
                props.Keywords = tuple(meta.get("keywords", ()))
            # SelectPdfVersion 2 = PDF/A-2b. Indexes are not updated (updateIndexes off): the
            # rendered document is final, and updating would cost time and may change the layout.
            data = uno.Any("[]com.sun.star.beans.PropertyValue", tuple([
                prop("SelectPdfVersion", int(req.get("pdf_version", 0))),
                prop("UseTaggedPDF", bool(req.get("tagged", False))),
            ]))
            store = (prop("FilterName", "writer_pdf_Export"), prop("FilterData", data),
                     prop("Overwrite", True))
            uno.invoke(doc, "storeToURL", (uno.systemPathToFileUrl(out), store))
        except Exception as err:
            if self.office_gone(err):
                raise
            return {"ok": False, "kind": "export_failed", "message": f"{type(err).__name__}: {err}"}
        finally:
            try:
                doc.close(True)
            except Exception:
                pass
        return {"ok": True}

    def ping(self):
        self.desktop.getComponents()  # a round trip through LibreOffice
        return {"ok": True}

    def stop(self):
        if self.proc is None:
            return
        try:
            if self.desktop is not None and self.proc.poll() is None:
                self.desktop.terminate()
        except Exception:
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        # soffice.bin runs under the launcher (oosplash): make sure the office itself is gone too.
        if self.pid is not None and self.pid != self.proc.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass

    def send(self, obj):
        self.out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.out.flush()


def watch_parent(parent):
    # The parent was SIGKILLed: take LibreOffice down with us (same process group).
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os.killpg(os.getpgid(0), signal.SIGKILL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", required=True)
    ap.add_argument("--pipe", required=True)
    ap.add_argument("--start-timeout", type=float, default=60.0)
    args = ap.parse_args()

    # The protocol owns the real stdout; anything else printed goes to stderr.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    bridge = Bridge(args.profile, args.pipe, out)
    threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()

    def on_term(signum, frame):
        bridge.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_term)
    try:
        bridge.start(args.start_timeout)
    except Exception as err:
        bridge.send({"ready": False, "message": str(err)})
        bridge.stop()
        return 3
    bridge.send({"ready": True, "soffice_pid": bridge.pid, "launcher_pid": bridge.proc.pid})

    # Whatever ends this loop (quit, stdin closed, the parent gone so that writing the answer
    # raises BrokenPipeError), LibreOffice is stopped: an exception must not leave it orphaned.
    try:
        for line in sys.stdin:
            req = json.loads(line)
            op = req.get("op")
            if op == "quit":
                break
            try:
                if op == "convert":
                    t0 = time.monotonic()
                    resp = bridge.convert(req)
                    resp["ms"] = round((time.monotonic() - t0) * 1000)
                elif op == "ping":
                    resp = bridge.ping()
                else:
                    resp = {"ok": False, "kind": "bad_request", "message": f"unknown op {op!r}"}
            except Exception as err:  # DisposedException, RuntimeException: LibreOffice is gone
                resp = {"ok": False, "kind": "disconnected", "message": f"{type(err).__name__}: {err}"}
                resp["id"] = req.get("id")
                bridge.send(resp)
                return 4
            resp["id"] = req.get("id")
            bridge.send(resp)
    except (BrokenPipeError, OSError):  # the parent stopped reading: it is gone
        return 5
    finally:
        bridge.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
