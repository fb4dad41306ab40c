#!/usr/bin/env bash
# Write the seed corpora of the fuzz targets (fuzz/corpus/<target>/).
#
# usage: scripts/make-fuzz-seeds.sh
#
# Real files where this machine has small ones: text and HTML from Debian's
# documentation, images from libpng's and Leptonica's examples and gitweb.
# Debian ships no small DOCX, PDF or TIFF, so those are made here (Python's
# zipfile and zlib, nothing else): a DOCX with headings, a table, a text box
# and markup-compatibility content, deflated and stored, and its bare
# word/document.xml (fuzz_docx wraps such input in a ZIP itself); PDFs with
# hyphenated lines, headings and two pages, plain and deflated; a PNG and a
# two-page TIFF of printed words in a 5x7 pixel font.  The CSVs are
# written here too.  The chunker's seeds are real text with its operations
# (fuzz/fuzz_chunk.c) put in at the headings.
#
# The output is committed: run this only to change the seeds (the same
# Debian files give the same bytes).  CI never runs it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/fuzz/corpus"
mkdir -p "$OUT"/{text,csv,html,docx,pdf,ocr,chunk}

# copy TARGET NAME PATH: a real file, when this machine has it.
copy() {
    if [[ -f "$3" ]]; then
        cp -- "$3" "$OUT/$1/$2"
    else
        echo "make-fuzz-seeds: $3 is missing; $1/$2 not written" >&2
    fi
}

D=/usr/share/doc
copy text glib-readme.md "$D/libglib2.0-0/README.md"
copy text pango-readme.md "$D/libpango-1.0-0/README.md"
copy text systemd-translators.md "$D/systemd/TRANSLATORS.md"
copy text bsd-license.txt /usr/share/common-licenses/BSD
copy text sodium-thanks.txt "$D/libsodium23/THANKS"

copy html apt-offline-ja.html "$D/apt-doc/offline.ja.html/ch3.html"
copy html xslt-attributes.html "$D/libxslt1-dev/gtk-doc/html/libxslt/libxslt-attributes.html"
copy html json-c-readme-latin1.html "$D/libjson-c5/README.html"
copy html ffi-simple-example.html "$D/libffi8/html/Simple-Example.html"
copy html perl-policy.html "$D/debian-policy/perl-policy.html/ap-perl6.html"

copy ocr pngtest.png "$D/libpng-dev/examples/pngtest.png"
copy ocr git-logo.png /usr/share/gitweb/static/git-logo.png
copy ocr aneurisms8.jpg "$D/libleptonica-dev/aneurisms8.jpg"
copy chunk artistic-license.txt /usr/share/common-licenses/Artistic

python3 - "$OUT" "$D/libglib2.0-0/README.md" "$D/zstd/TESTING.md" <<'PY'
import os
import struct
import sys
import zipfile
import zlib

out, glib_readme, zstd_testing = sys.argv[1:4]


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data)


# ---- CSV -------------------------------------------------------------------

write("csv", "orders.csv",
      "\ufefforder_id,customer,placed,total,note\r\n"
      "1001,Ada Lovelace,2024-03-01,129.90,\r\n"
      "1002,\"Müller, Jürgen\",2024-03-02,15.00,\"gift wrap, \"\"urgent\"\"\"\r\n"
      "1003,Zoë Ng,2024-03-02,0,\"left at the door\r\nsigned by neighbour\"\r\n"
      "\r\n"
      "1004,José,2024-03-04,42.10,,extra\r\n")
write("csv", "stations.csv",
      "id,name,lat,lon,elevation_m\n"
      "ST01,Reykjavík,64.1466,-21.9426,61\n"
      "ST02,Zürich Fluntern,47.3779,8.5656,556\n"
      "ST03,São Paulo,-23.5505,-46.6333,760\n"
      "ST04,東京,35.6895,139.6917,40\n"
      "ST05,,0,0,\n")
write("csv", "semicolon-quirks.csv",
      "name;comment\n"
      "plain,unquoted \"inner\" quotes\n"
      "\"closed\" then text,second\r"
      "\"multi\nline\",\"a,b\"\n")

# ---- DOCX ------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"


def para(text, style=None):
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{ppr}<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>"


def cell(text):
    return f"<w:tc><w:tcPr><w:tcW w:w=\"2000\" w:type=\"dxa\"/></w:tcPr>{para(text)}</w:tc>"


body = "".join([
    para("Quarterly report", "Title"),
    para("Summary", "Heading1"),
    "<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs></w:pPr>"
    "<w:r><w:t>Revenue grew</w:t></w:r><w:r><w:tab/><w:t>12%</w:t></w:r>"
    "<w:r><w:br/><w:t>year on year; see the e</w:t><w:noBreakHyphen/><w:t>mail.</w:t></w:r>"
    "<w:r><w:instrText> PAGEREF _Toc1 \\h </w:instrText></w:r>"
    "<w:del><w:r><w:delText>old figure</w:delText></w:r></w:del></w:p>",
    para("Figures", "heading 2"),
    "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr>",
    "<w:tr>" + cell("Region") + cell("Sales") + "</w:tr>",
    "<w:tr>" + cell("North") + "<w:tc>" + para("1,200") + para("(est.)") + "</w:tc></w:tr>",
    "<w:tr><w:tc><w:tbl><w:tr>" + cell("nested a") + cell("nested b") +
    "</w:tr></w:tbl></w:tc>" + cell("") + "</w:tr>",
    "</w:tbl>",
    f"<w:p><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wps:txbx>"
    f"<w:txbxContent>{para('Text box')}</w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
    f"<mc:Fallback><w:pict><w:txbxContent>{para('Text box')}</w:txbxContent></w:pict>"
    f"</mc:Fallback></mc:AlternateContent></w:r></w:p>",
    para("Ünïcödé — and <![CDATA[raw]]> &amp; entities", "Heading3"),
    "<w:p/>",
])
document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:document xmlns:w="{W}" xmlns:mc="{MC}" xmlns:wps="{WPS}" '
            f'mc:Ignorable="wps"><w:body>{body}<w:sectPr/></w:body></w:document>')
content_types = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>')
rels = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def docx(name, compression):
    path = os.path.join(out, "docx", name)
    with zipfile.ZipFile(path, "w", compression) as z:
        for part, data in (("[Content_Types].xml", content_types), ("_rels/.rels", rels),
                           ("word/document.xml", document)):
            info = zipfile.ZipInfo(part, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = compression
            z.writestr(info, data)


docx("report-deflated.docx", zipfile.ZIP_DEFLATED)
docx("report-stored.docx", zipfile.ZIP_STORED)
write("docx", "document.xml", document)
write("docx", "strict-document.xml",
      '<?xml version="1.0"?><w:document xmlns:w="http://purl.oclc.org/ooxml/'
      'wordprocessingml/main"><w:body><w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>'
      '<w:r><w:t>Strict</w:t></w:r></w:p><w:p><w:r><w:t>Body</w:t><w:cr/>'
      '<w:t>text</w:t></w:r></w:p></w:body></w:document>')

# ---- PDF -------------------------------------------------------------------


def pdf(pages, deflate=False):
    """A PDF of pages (lists of text lines), Helvetica, one line every 14 pt."""
    objs = {1: "<< /Type /Catalog /Pages 2 0 R >>",
            3: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
               "/Encoding /WinAnsiEncoding >>"}
    kids = []
    num = 4
    for lines in pages:
        ops = ["BT", "/F1 11 Tf", "14 TL", "72 760 Td"]
        for ln in lines:
            esc = ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({esc}) Tj T*")
        ops.append("ET")
        data = "\n".join(ops).encode("cp1252")
        if deflate:
            data = zlib.compress(data, 9)
            head = f"<< /Length {len(data)} /Filter /FlateDecode >>"
        else:
            head = f"<< /Length {len(data)} >>"
        objs[num + 1] = (head.encode() + b"\nstream\n" + data + b"\nendstream")
        objs[num] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                     f"/Resources << /Font << /F1 3 0 R >> >> /Contents {num + 1} 0 R >>")
        kids.append(f"{num} 0 R")
        num += 2
    objs[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    buf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for k in sorted(objs):
        offsets[k] = len(buf)
        body = objs[k] if isinstance(objs[k], bytes) else objs[k].encode()
        buf += f"{k} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(buf)
    buf += f"xref\n0 {num}\n0000000000 65535 f \n".encode()
    for k in range(1, num):
        buf += f"{offsets[k]:010d} 00000 n \n".encode()
    buf += (f"trailer\n<< /Size {num} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").encode()
    return bytes(buf)


page1 = ["Introduction",
         "Text extraction joins the lines of a para-",
         "graph back together, and keeps well-",
         "Known hyphens where the next line starts",
         "with a capital letter, like page-",
         "2 of this document, or a list:",
         "",
         "- first item, short",
         "\u2022 second item",
         "The end of the page."]
page2 = ["Second page",
         "Caf\u00e9 na\u00efve r\u00e9sum\u00e9: text in Latin-1 glyphs, then a long line that",
         "runs on; and a line ending with a comma,",
         "Continued here.",
         "12 Numbered heading"]
write("pdf", "two-pages.pdf", pdf([page1, page2]))
write("pdf", "deflated.pdf", pdf([page2, page1], deflate=True))
write("pdf", "empty-page.pdf", pdf([[]]))

# ---- images ----------------------------------------------------------------

FONT = {  # 5x7, rows top to bottom, bit 4 the leftmost column
    "A": [14, 17, 17, 31, 17, 17, 17], "C": [14, 17, 16, 16, 16, 17, 14],
    "D": [30, 17, 17, 17, 17, 17, 30], "E": [31, 16, 16, 30, 16, 16, 31],
    "H": [17, 17, 17, 31, 17, 17, 17], "L": [16, 16, 16, 16, 16, 16, 31],
    "N": [17, 25, 21, 19, 17, 17, 17], "O": [14, 17, 17, 17, 17, 17, 14],
    "P": [30, 17, 17, 30, 16, 16, 16], "R": [30, 17, 17, 30, 20, 18, 17],
    "S": [15, 16, 16, 14, 1, 1, 30], "T": [31, 4, 4, 4, 4, 4, 4],
    "W": [17, 17, 17, 21, 21, 21, 10], "X": [17, 17, 10, 4, 10, 17, 17],
    "G": [14, 17, 16, 23, 17, 17, 15], "I": [14, 4, 4, 4, 4, 4, 14], " ": [0] * 7,
}


def render(lines, scale=3, margin=12):
    """Grey pixels (0 black, 255 white) of the lines, and the size."""
    width = max(len(s) for s in lines) * 6 * scale + 2 * margin
    height = len(lines) * 10 * scale + 2 * margin
    px = bytearray([255]) * (width * height)
    for li, text in enumerate(lines):
        for ci, ch in enumerate(text):
            for r, bits in enumerate(FONT[ch]):
                for c in range(5):
                    if bits >> (4 - c) & 1:
                        for dy in range(scale):
                            y = margin + (li * 10 + r) * scale + dy
                            x0 = margin + (ci * 6 + c) * scale
                            px[y * width + x0:y * width + x0 + scale] = bytes(scale)
    return bytes(px), width, height


def png(px, w, h):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data)))
    raw = b"".join(b"\0" + px[y * w:(y + 1) * w] for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def tiff(pages):
    """A little-endian TIFF, one 8-bit grey deflated strip a page."""
    buf = bytearray(b"II*\0\0\0\0\0")
    link = 4  # where the offset of the next directory goes
    for px, w, h in pages:
        px = zlib.compress(px, 9)
        data_at = len(buf)
        buf += px
        if len(buf) % 2:
            buf += b"\0"
        entries = [(256, 3, w), (257, 3, h), (258, 3, 8), (259, 3, 8), (262, 3, 1),
                   (273, 4, data_at), (277, 3, 1), (278, 3, h), (279, 4, len(px))]
        ifd_at = len(buf)
        struct.pack_into("<I", buf, link, ifd_at)
        buf += struct.pack("<H", len(entries))
        for tag, typ, val in entries:
            buf += struct.pack("<HHI", tag, typ, 1)
            buf += struct.pack("<HH", val, 0) if typ == 3 else struct.pack("<I", val)
        link = len(buf)
        buf += b"\0\0\0\0"
    return bytes(buf)


write("ocr", "hello-world.png", png(*render(["HELLO WORLD", "OPEN TEXT"])))
write("ocr", "two-pages.tiff", tiff([render(["PAGE ONE"], scale=2),
                                     render(["SECOND PAGE"], scale=2)]))

# ---- chunker ---------------------------------------------------------------
# Options in the first four bytes, then text with operations (fuzz_chunk.c):
# \x01\x01<level digit> before a heading, \x01\x02 between paragraphs, \x01\x00 a page.


def marked(path, opts):
    with open(path, "rb") as f:
        text = f.read()
    res = bytearray(opts)
    for ln in text.splitlines(keepends=True):
        if ln.startswith(b"#"):
            level = len(ln) - len(ln.lstrip(b"#"))
            res += b"\x01\x01" + str(level).encode() + ln.lstrip(b"# ")
        elif ln.strip() == b"":
            res += b"\x01\x02" + ln
        else:
            res += ln
    return bytes(res)


if os.path.exists(glib_readme):
    write("chunk", "glib-readme-marked", marked(glib_readme, b"\x1e\x00\x05\x00"))
if os.path.exists(zstd_testing):
    with open(zstd_testing, "rb") as f:
        write("chunk", "zstd-testing-pages",
              b"\x07\x00\x03\x00\x01\x00" + f.read().replace(b"\n\n", b"\n\n\x01\x00", 3))
write("chunk", "long-words",
      b"\x02\x81\x01\x00" + b"x" * 700 + b" " + "\u00e9".encode() * 300 +
      b"\x01\x06split\r\nacross\r" + b"\x01\x07\ncombining e\xcc\x81 end. ?\x01\x05\xff\xff")
PY

echo "make-fuzz-seeds: written under $OUT:"
du -ab "$OUT" | sort -k2
