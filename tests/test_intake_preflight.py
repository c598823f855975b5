"""Preflight of a .docx: no DOCTYPE reaches python-docx, whatever the encoding or place.

Each hostile file is a real .docx made with python-docx whose ``word/document.xml`` (or another
part) is rewritten; each must be refused by ``preflight.check`` and by ``extract.inspect`` with the
kind ``entity``, before any parser resolves anything. A normal .docx still passes, quickly.
"""

from __future__ import annotations

import os
import re
import statistics
import time
import zipfile
from pathlib import Path

import pytest

from congkhai.errors import PermanentError
from congkhai.intake import preflight
from congkhai.intake.extract import inspect
from tests.docgen import make_docx

REPO = Path(__file__).resolve().parent.parent
NS_DECL = re.compile(rb"^<\?xml[^>]*\?>\s*")
XXE = '<!DOCTYPE w:document [<!ENTITY ent SYSTEM "file:///etc/passwd">]>'
EXTERNAL_DTD = '<!DOCTYPE w:document SYSTEM "http://127.0.0.1:9/evil.dtd">'
LOL = ('<!DOCTYPE w:document [<!ENTITY lol "lol">'
       + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10))
       + "]>")


@pytest.fixture(scope="module")
def normal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real decision made with python-docx (header table, body, a table)."""
    d = tmp_path_factory.mktemp("preflight")
    return make_docx(d / "normal.docx", title="Quyết định", number="15/QĐ-UBND", table_rows=3).path


def _body(docx: Path) -> str:
    """``word/document.xml`` without its XML declaration, with ``&x;`` in the first text run."""
    with zipfile.ZipFile(docx) as z:
        xml = NS_DECL.sub(b"", z.read("word/document.xml")).decode("utf-8")
    return re.sub(r"(<w:t(?: [^>]*)?>)", r"\1&ent;", xml, count=1)


def _rewrite(src: Path, dst: Path, part: str, data: bytes) -> Path:
    """A copy of ``src`` with ``part`` replaced by (or added as) ``data``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != part:
                zout.writestr(info, zin.read(info))
        zout.writestr(part, data)
    return dst


def _xml(text: str, encoding: str, *, bom: bool = False, declared: bool = True) -> bytes:
    decl = f'<?xml version="1.0" encoding="{encoding.upper().replace("-LE", "").replace("-BE", "")}" ' \
        'standalone="yes"?>\r\n' if declared else ""
    boms = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}
    return (boms[encoding] if bom else b"") + (decl + text).encode(encoding)


def _long_comment() -> str:
    """Over 1 MiB of comment that does not compress (so the zip-ratio check does not fire first)."""
    return "<!-- " + os.urandom(600 * 1024).hex() + " -->\n"


HOSTILE = {
    # name: (part, build(body) -> bytes)
    "utf16le_bom_doctype": ("word/document.xml", lambda b: _xml(XXE + b, "utf-16-le", bom=True)),
    "utf16le_no_bom": ("word/document.xml", lambda b: _xml(XXE + b, "utf-16-le")),
    "utf16be_bom": ("word/document.xml", lambda b: _xml(XXE + b, "utf-16-be", bom=True)),
    "utf16be_no_bom": ("word/document.xml", lambda b: _xml(XXE + b, "utf-16-be")),
    "utf16le_no_bom_no_declaration": ("word/document.xml", lambda b: _xml(XXE + b, "utf-16-le", declared=False)),
    "utf8_bom": ("word/document.xml", lambda b: _xml(XXE + b, "utf-8", bom=True)),
    "after_1mb_comment": ("word/document.xml", lambda b: _xml(_long_comment() + XXE + b, "utf-8")),
    "external_dtd_after_1mb_comment": ("word/document.xml", lambda b: _xml(
        _long_comment() + EXTERNAL_DTD + b.replace("&ent;", ""), "utf-8")),
    "utf16_after_1mb_comment": ("word/document.xml",
                                lambda b: _xml(_long_comment() + XXE + b, "utf-16-le", bom=True)),
    "after_processing_instructions": ("word/document.xml", lambda b: _xml(
        '<?mso-application progid="Word.Document"?>\n<?xml-stylesheet href="a.xsl"?>\n<!-- x -->\n' + XXE + b,
        "utf-8")),
    "xxe_file": ("word/document.xml", lambda b: _xml(XXE + b, "utf-8")),
    "external_dtd": ("word/document.xml", lambda b: _xml(EXTERNAL_DTD + b.replace("&ent;", ""), "utf-8")),
    "billion_laughs": ("word/document.xml", lambda b: _xml(LOL + b.replace("&ent;", "&lol9;"), "utf-8")),
    # UTF-7 hides every '<' and '!' of the DTD from a byte search; libxml2 decodes it (iconv).
    "utf7_declared": ("word/document.xml", lambda b: b'<?xml version="1.0" encoding="UTF-7"?>'
                      + b'+ADwAIQ-DOCTYPE w:document +AFs-+ADwAIQ-ENTITY ent "x"+AD4AXQA+-' + b.encode("utf-7")),
    "entity_without_doctype": ("word/document.xml", lambda b: _xml('<!ENTITY ent "x">' + b, "utf-8")),
    "doctype_after_root": ("word/document.xml", lambda b: _xml(b.replace("&ent;", "") + XXE, "utf-8")),
    "in_rels": ("word/_rels/document.xml.rels", lambda b: _xml(
        XXE + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>', "utf-16-le",
        bom=True)),
    "in_content_types": ("[Content_Types].xml", lambda b: _xml(
        LOL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">&lol9;</Types>',
        "utf-8")),
    "xml_part_under_another_name": ("word/media/image9.svg", lambda b: _xml(
        XXE + '<svg xmlns="http://www.w3.org/2000/svg">&ent;</svg>', "utf-8")),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_docx_is_refused_as_entity(case, normal, tmp_path):
    """GIVEN a real .docx whose XML part declares a DOCTYPE (any encoding, anywhere in the prolog)
    WHEN preflight checks it, and WHEN intake inspects it
    THEN both refuse it as ``entity`` with the Vietnamese message, and nothing is read."""
    part, build = HOSTILE[case]
    bad = _rewrite(normal, tmp_path / f"{case}.docx", part, build(_body(normal)))
    with pytest.raises(PermanentError) as e:
        preflight.check(bad)
    assert e.value.kind == "entity", (case, str(e.value))
    assert "DOCTYPE/ENTITY" in str(e.value) and "nghi là tệp độc hại" in str(e.value)
    with pytest.raises(PermanentError) as e:
        inspect(bad, classify=False)
    assert e.value.kind == "entity"


def test_the_hostile_documents_would_parse_without_the_check(normal, tmp_path):
    """The UTF-16 and long-comment files are well-formed XML: only the DOCTYPE makes them hostile."""
    from lxml import etree

    for case in ("utf16le_bom_doctype", "utf16be_no_bom", "after_1mb_comment", "after_processing_instructions",
                 "utf7_declared"):
        part, build = HOSTILE[case]
        tree = etree.fromstring(build(_body(normal)), etree.XMLParser(resolve_entities=False, no_network=True))
        assert tree.getroottree().docinfo.doctype, case


def test_part_that_does_not_open_as_xml_is_corrupt(normal, tmp_path):
    """GIVEN a .docx whose document.xml is not XML from its first bytes THEN preflight says ``corrupt``;
    GIVEN one broken further on THEN python-docx refuses it as ``corrupt`` when intake reads it."""
    garbage = _rewrite(normal, tmp_path / "garbage.docx", "word/document.xml", b"\x00\x01 not xml")
    with pytest.raises(PermanentError) as e:
        preflight.check(garbage)
    assert e.value.kind == "corrupt"
    broken = _rewrite(normal, tmp_path / "broken.docx", "word/document.xml",
                      _xml(_body(normal).replace("&ent;", "")[:-40], "utf-8"))
    assert preflight.check(broken).kind == "docx"
    with pytest.raises(PermanentError) as e:
        inspect(broken, classify=False)
    assert e.value.kind == "corrupt"


def test_normal_docx_passes_quickly(normal, capsys):
    """GIVEN documents made by python-docx, the commune's templates and the Kép samples
    WHEN preflight checks them THEN they pass, in a small fraction of the time python-docx takes."""
    import docx

    for f in [normal, *sorted((REPO / "samples" / "kep-2024").glob("*.docx")),
              *sorted((REPO / "templates_docx").glob("*.docx"))]:
        assert preflight.check(f).kind == "docx", f
    info = inspect(normal, classify=False)
    assert (info.doc_number, info.doc_code) == ("15", "QĐ-UBND")

    def median_ms(fn) -> float:
        times = []
        for _ in range(15):
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
        return statistics.median(times)

    sample = REPO / "samples" / "kep-2024" / "Document1.docx"  # Word's styles: 800 kB of XML
    for f in (normal, sample):
        check_ms = median_ms(lambda f=f: preflight.check(f))
        open_ms = median_ms(lambda f=f: docx.Document(str(f)))
        with capsys.disabled():
            print(f"\npreflight.check({f.name}): {check_ms:.1f} ms; python-docx opening it: {open_ms:.1f} ms")
        assert check_ms < 250
