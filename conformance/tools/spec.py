#!/usr/bin/python3
"""The socket-type spec as data: loader, validator, page extractor and CLI.

conformance/spec/ holds
  sources.json       the seed texts (file, sha256, line count) and the RFCs cited
  sockets-4.3.json   one record per socket type and table column of zmq_socket(3), libzmq 4.3.4
  sockets-4.0.json   the same for the libzmq 4.0 page
  rules.json         rules stated in the prose around the tables, the other seeds and the RFCs
  divergences.json   where the sources disagree, or the reference libzmq differs from them
  profiles.json      the two profiles and the value each expects where they differ

Every value is traceable: a citation names a seed file and a line range, and the validator
checks that the quoted text really is on those lines (whitespace-insensitively).

    /usr/bin/python3 conformance/tools/spec.py --check        validate; non-zero exit on problems
    /usr/bin/python3 conformance/tools/spec.py --list         every record and rule id, status
    /usr/bin/python3 conformance/tools/spec.py --diff-pages   where the 4.0 and 4.3 pages differ
    /usr/bin/python3 conformance/tools/spec.py --extract 4.3  re-derive a page's records (stdout)
    /usr/bin/python3 conformance/tools/spec.py --locate FILE "quote"   line range, for citations

The seed texts live outside the repository, in shared/seeds beside the checkout (override with
$ZLAB_SEEDS); only sources.json's checksums of them are committed.
"""

import argparse
import hashlib
import html
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parents[2]
SPEC_DIR = REPO / "conformance" / "spec"

# Every socket type name the pages know: the vocabulary type names are read against (as
# VOCABULARY is for values). Which types are classic (on the 4.0 page too) and which zlab
# builds (their 4.3 records are "active") is the data's: classic_types(), built_types().
ALL_TYPES = ("PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB",
             "XSUB", "STREAM", "CLIENT", "SERVER", "RADIO", "DISH", "SCATTER", "GATHER", "PEER",
             "CHANNEL")

# Table column id -> the row label the pages use.
COLUMNS = {
    "compatible": "Compatible peer sockets",
    "direction": "Direction",
    "pattern": "Send/receive pattern",
    "outgoing": "Outgoing routing strategy",
    "incoming": "Incoming routing strategy",
    "mute": "Action in mute state",
}
LABEL_TO_COLUMN = {v: k for k, v in COLUMNS.items()}

NONE_STATED = "none-stated"  # the type's table has no row for this column
VOCABULARY = {
    "direction": {"unidirectional", "bidirectional"},
    "pattern": {"send-only", "receive-only", "unrestricted", "send-receive-alternating",
                "receive-send-alternating", "send-messages-receive-subscriptions",
                "receive-messages-send-subscriptions"},
    "outgoing": {"round-robin", "fan-out", "last-peer", "see-text", "n/a"},
    "incoming": {"fair-queued", "last-peer", "n/a"},
    "mute": {"block", "drop", "eagain"},
}
for _values in VOCABULARY.values():
    _values.add(NONE_STATED)

STATUSES = {"active", "pending"}
RULE_KINDS = {
    "routing",       # which peer a message goes to / comes from
    "mute",          # what send does when the socket is in the mute state
    "envelope",      # delimiter and routing-id frames
    "alternation",   # send/recv order enforced by the socket
    "identity",      # routing ids: how they are made, prepended, announced
    "notification",  # messages the socket itself generates (STREAM connect/disconnect)
    "subscription",  # subscribe/unsubscribe, matching
    "hwm",           # high-water marks: scope and unit
    "compatibility", # which peer types may connect, and what happens otherwise
    "atomicity",     # whole multipart messages or nothing
    "delivery",      # ordering, duplication
    "direction",     # which of send/recv the type implements
    "connection",    # connect/bind/close behaviour
    "polling",       # POLLIN/POLLOUT semantics
    "framing",       # what frames the application must send, and flags
    "security",      # mechanisms (NULL, PLAIN, CURVE) and ZAP: who is admitted, what is asked
}
PROFILES = ("strict-spec", "libzmq-4.3.4")
DIVERGENCE_KINDS = {
    "source-conflict",    # two sources state different things
    "reference-differs",  # the reference libzmq does something the sources do not say
    "underspecified",     # the sources are silent; the reference fills the gap
    "page-change",        # the 4.0 and 4.3 pages say different things
    "page-internal",      # one page is inconsistent with itself
}
KNOWN_RFCS = {
    15: "15/ZMTP", 23: "23/ZMTP", 24: "24/ZMTP-PLAIN", 25: "25/ZMTP-CURVE", 26: "26/CURVEZMQ",
    27: "27/ZAP", 28: "28/REQREP", 29: "29/PUBSUB", 30: "30/PIPELINE", 31: "31/EXPAIR",
    37: "37/ZMTP", 41: "41/CLISRV", 48: "48/RADIO-DISH", 49: "49/SCATTERGATHER",
    51: "51/P2P", 52: "52/CHANNEL",
}

RECORD_ID = re.compile(r"^socket/([A-Z]+)/([a-z]+)$")
RULE_ID = re.compile(r"^rule/([A-Za-z-]+)/([a-z0-9-]+)$")
DIV_ID = re.compile(r"^div/([A-Za-z0-9-]+)(/[a-z0-9-]+)?$")
PAGES = {"4.3": "sockets-4.3.json", "4.0": "sockets-4.0.json"}


def seeds_dir() -> Path:
    env = os.environ.get("ZLAB_SEEDS")
    return Path(env) if env else REPO.parent / "shared" / "seeds"


def squash(text: str) -> str:
    """Whitespace-insensitive form used to compare quotes with source lines."""
    return " ".join(text.replace("\u2026", "...").split())


# ---------------------------------------------------------------------------------------------
# data classes


@dataclass(frozen=True)
class Citation:
    """A quote from a seed file at a 1-based inclusive line range, or from an RFC section."""
    file: Optional[str] = None
    lines: Optional[tuple] = None
    quote: Optional[str] = None
    heading: Optional[str] = None  # table title or section the lines belong to
    rfc: Optional[int] = None
    section: Optional[str] = None  # RFC section, or man page section (an option's name)
    note: Optional[str] = None
    man: Optional[str] = None  # a man page of sources.json "man_pages", e.g. "zmq_setsockopt(3)"

    @staticmethod
    def load(d: dict) -> "Citation":
        lines = tuple(d["lines"]) if d.get("lines") is not None else None
        return Citation(d.get("file"), lines, d.get("quote"), d.get("heading"), d.get("rfc"),
                        d.get("section"), d.get("note"), d.get("man"))


@dataclass(frozen=True)
class TableRecord:
    id: str
    type: str
    column: str
    value: object  # str, or list of type names for "compatible"
    status: str
    source_text: Optional[str]
    citation: Citation
    html: Optional[Citation] = None  # the same table in the 4.0 page's HTML source
    qualifier: Optional[str] = None

    @staticmethod
    def load(d: dict) -> "TableRecord":
        return TableRecord(d["id"], d["type"], d["column"], d["value"], d["status"],
                           d.get("source_text"), Citation.load(d["citation"]),
                           Citation.load(d["html"]) if d.get("html") else None,
                           d.get("qualifier"))


@dataclass(frozen=True)
class Rule:
    id: str
    statement: str
    applies_to: tuple
    kind: str
    status: str
    citations: tuple
    evidence: tuple = ()  # probe names in libzmq_probes.py
    note: Optional[str] = None
    # The libzmq 4.3.4 option it needs that a build without the draft API refuses
    # (ZMQ_ROUTER_NOTIFY): such a rule is not in a non-draft library's reference agreement.
    draft_api: Optional[str] = None

    @staticmethod
    def load(d: dict) -> "Rule":
        return Rule(d["id"], d["statement"], tuple(d["applies_to"]), d["kind"], d["status"],
                    tuple(Citation.load(c) for c in d["citations"]),
                    tuple(d.get("evidence", ())), d.get("note"), d.get("draft_api"))


@dataclass(frozen=True)
class Side:
    source: str        # who says it: a page, an RFC, a seed, or "libzmq 4.3.4"
    says: str
    citations: tuple = ()
    evidence: tuple = ()  # probe names

    @staticmethod
    def load(d: dict) -> "Side":
        return Side(d["source"], d["says"], tuple(Citation.load(c) for c in d.get("citations", ())),
                    tuple(d.get("evidence", ())))


@dataclass(frozen=True)
class Divergence:
    id: str
    kind: str
    summary: str
    applies_to: tuple
    sides: tuple
    profiles_differ: bool
    follows: dict        # profile -> which side/what it follows
    affects: tuple = ()  # rule ids and record ids (page:record)
    engine: Optional[str] = None  # what the zlab engine's table does, when it matters
    engine_values: dict = field(default_factory=dict)  # target -> value the engine table has
    commands: tuple = ()

    @staticmethod
    def load(d: dict) -> "Divergence":
        return Divergence(d["id"], d["kind"], d["summary"], tuple(d["applies_to"]),
                          tuple(Side.load(s) for s in d["sides"]), d["profiles_differ"],
                          dict(d["follows"]), tuple(d.get("affects", ())), d.get("engine"),
                          dict(d.get("engine_values", {})), tuple(d.get("commands", ())))


@dataclass(frozen=True)
class Expectation:
    target: str          # a rule id, or PAGE:record id (e.g. "4.3:socket/REP/mute")
    expects: dict        # profile -> expected value (free text or vocabulary value)
    divergence: str

    @staticmethod
    def load(d: dict) -> "Expectation":
        return Expectation(d["target"], dict(d["expects"]), d["divergence"])


@dataclass
class Spec:
    sources: dict
    pages: dict                   # "4.3" -> [TableRecord]
    rules: list
    divergences: list
    profiles: dict                # profile name -> description
    expectations: list
    raw: dict = field(default_factory=dict)  # file name -> parsed JSON

    def record(self, page: str, record_id: str) -> Optional[TableRecord]:
        for r in self.pages.get(page, ()):
            if r.id == record_id:
                return r
        return None

    def rule(self, rule_id: str) -> Optional[Rule]:
        return next((r for r in self.rules if r.id == rule_id), None)

    def divergence(self, div_id: str) -> Optional[Divergence]:
        return next((d for d in self.divergences if d.id == div_id), None)


def load_spec(spec_dir: Path = SPEC_DIR) -> Spec:
    raw = {p.name: json.loads(p.read_text()) for p in sorted(Path(spec_dir).glob("*.json"))}
    pages = {page: [TableRecord.load(r) for r in raw[name]["records"]]
             for page, name in PAGES.items() if name in raw}
    prof = raw.get("profiles.json", {})
    return Spec(
        sources=raw.get("sources.json", {}),
        pages=pages,
        rules=[Rule.load(r) for r in raw.get("rules.json", {}).get("rules", [])],
        divergences=[Divergence.load(d) for d in raw.get("divergences.json", {}).get(
            "divergences", [])],
        profiles=prof.get("profiles", {}),
        expectations=[Expectation.load(e) for e in prof.get("expectations", [])],
        raw=raw,
    )


# ---------------------------------------------------------------------------------------------
# normalising table values


def _strip_quotes(s: str) -> str:
    return s.strip().strip("'").strip()


def normalise(column: str, text: str):
    """The vocabulary value of a table cell's text, or raises ValueError."""
    t = squash(text)
    low = t.lower()
    if column == "compatible":
        if low in ("none.", "none"):
            return []
        names = [_strip_quotes(p) for p in t.split(",")]
        out = []
        for n in names:
            if not n.startswith("ZMQ_") or n[4:] not in ALL_TYPES:
                raise ValueError(f"not a socket type: {n!r}")
            out.append(n[4:])
        return out
    if column == "direction":
        if low in VOCABULARY["direction"]:
            return low
    if column == "pattern":
        table = {
            "send only": "send-only", "receive only": "receive-only",
            "unrestricted": "unrestricted",
            "send, receive, send, receive, ...": "send-receive-alternating",
            "receive, send, receive, send, ...": "receive-send-alternating",
            "send messages, receive subscriptions": "send-messages-receive-subscriptions",
            "receive messages, send subscriptions": "receive-messages-send-subscriptions",
        }
        if low in table:
            return table[low]
    if column in ("outgoing", "incoming"):
        table = {"round-robin": "round-robin", "fan out": "fan-out", "last peer": "last-peer",
                 "see text": "see-text", "n/a": "n/a", "fair-queued": "fair-queued"}
        if low in table and table[low] in VOCABULARY[column]:
            return table[low]
    if column == "mute":
        table = {"block": "block", "drop": "drop", "drop (see text)": "drop", "eagain": "eagain",
                 "return eagain": "eagain"}
        if low in table:
            return table[low]
    raise ValueError(f"no {column} vocabulary value for {text!r}")


def cell_text(column: str, source_text: str) -> str:
    """The value part of a verbatim table row (the row label and any '::' removed)."""
    t = squash(source_text)
    label = COLUMNS[column]
    if not t.startswith(label):
        raise ValueError(f"row does not start with {label!r}: {source_text!r}")
    t = t[len(label):].strip()
    if t.startswith("::"):
        t = t[2:].strip()
    return t


# ---------------------------------------------------------------------------------------------
# extracting the tables from the seed pages


@dataclass
class RawRow:
    column: str
    first: int  # 1-based line numbers
    last: int
    text: str   # verbatim lines, each stripped, joined with "\n"


@dataclass
class RawTable:
    type: str
    title: str
    title_line: int
    last_line: int
    rows: list


_TITLE = re.compile(r"^\s*(?P<title>(?:Table \d+\. |\.)?Summary of ZMQ_(?P<type>[A-Z]+) "
                    r"characteristics)\s*$")


def _label_of(stripped: str) -> Optional[str]:
    for label in COLUMNS.values():
        if stripped == label or stripped.startswith(label + " ") or \
                stripped.startswith(label + "::"):
            return label
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def parse_man_page(lines: list) -> list:
    """Tables of the 4.3 man page: 'Label   value' rows (some values wrap onto indented lines),
    or the unrendered asciidoc 'Label:: value' rows the page carries for a few draft types."""
    tables, i = [], 0
    while i < len(lines):
        m = _TITLE.match(lines[i])
        if not m:
            i += 1
            continue
        table = RawTable(m["type"], m["title"].strip(), i + 1, i + 1, [])
        label_indent = None
        j = i + 1
        while j < len(lines):
            line = lines[j]
            stripped = line.strip()
            if not stripped:
                j += 1
                continue
            label = _label_of(stripped)
            if label and (label_indent is None or _indent(line) == label_indent):
                label_indent = _indent(line)
                table.rows.append(RawRow(LABEL_TO_COLUMN[label], j + 1, j + 1, stripped))
            elif table.rows and label_indent is not None and _indent(line) > label_indent:
                row = table.rows[-1]
                row.last = j + 1
                row.text += "\n" + stripped
            else:
                break
            table.last_line = j + 1
            j += 1
        tables.append(table)
        i = j
    return tables


def parse_rendered_html_page(lines: list) -> list:
    """Tables of the 4.0 page as rendered to text: a title line, then label and value lines
    separated by blank lines."""
    tables, i = [], 0
    while i < len(lines):
        m = _TITLE.match(lines[i])
        if not m:
            i += 1
            continue
        table = RawTable(m["type"], m["title"].strip(), i + 1, i + 1, [])
        j = i + 1
        while True:
            k = j
            while k < len(lines) and not lines[k].strip():
                k += 1
            if k >= len(lines) or lines[k].strip() not in LABEL_TO_COLUMN:
                break
            v = k + 1
            while v < len(lines) and not lines[v].strip():
                v += 1
            if v >= len(lines):
                break
            text = "\n".join(l.strip() for l in lines[k:v + 1])
            table.rows.append(RawRow(LABEL_TO_COLUMN[lines[k].strip()], k + 1, v + 1, text))
            table.last_line = v + 1
            j = v + 1
        tables.append(table)
        i = j
    return tables


_TAG = re.compile(r"<[^>]+>")


def parse_html_source(lines: list) -> dict:
    """The 4.0 page's HTML source (a git diff adding doc/zmq_socket.html): type -> (first line,
    last line, {column: cell text}) for each 'Summary of ...' hdlist table."""
    out, i = {}, 0
    title = re.compile(r'<div class="title">Summary of ZMQ_([A-Z]+) characteristics</div>')
    while i < len(lines):
        m = title.search(lines[i])
        if not m:
            i += 1
            continue
        j, texts = i + 1, []
        while j < len(lines) and "</table>" not in lines[j]:
            t = html.unescape(_TAG.sub("", lines[j].lstrip("+"))).strip()
            if t:
                texts.append(t)
            j += 1
        cells = {}
        for label, value in zip(texts[0::2], texts[1::2]):
            cells[LABEL_TO_COLUMN[label]] = value
        out[m[1]] = (i + 1, j + 1, cells)
        i = j
    return out


def _page_files(page: str) -> tuple:
    src = load_json(SPEC_DIR / "sources.json")
    entry = src["pages"][page]
    return entry["file"], entry.get("html_file")


def read_lines(path: Path) -> list:
    """A text file's lines, numbered as `sed -n` and editors number them (split on \\n only)."""
    text = Path(path).read_text(encoding="utf-8")
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def load_json(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def committed_statuses(page: str) -> dict:
    """Type -> the status its committed records on PAGE have."""
    path = SPEC_DIR / f"sockets-{page}.json"
    if not path.exists():
        return {}
    return {r["type"]: r["status"] for r in load_json(path)["records"]}


def classic_types(spec: "Spec") -> set:
    """The types both pages have: the twelve of libzmq 4.0 (sockets-4.0.json)."""
    return {r.type for r in spec.pages.get("4.0", [])}


def built_types(spec: "Spec") -> set:
    """The types zlab builds: those whose 4.3 records are active."""
    return {r.type for r in spec.pages.get("4.3", []) if r.status == "active"}


def draft_types(spec: "Spec") -> set:
    """The types only the 4.3 page has (libzmq's draft API)."""
    return {r.type for r in spec.pages.get("4.3", [])} - classic_types(spec)


def extract_page(page: str, seeds: Path = None) -> dict:
    """Derive a page's table records from its seed text (what sockets-PAGE.json must hold)."""
    seeds = seeds or seeds_dir()
    text_file, html_file = _page_files(page)
    lines = read_lines(seeds / text_file)
    tables = parse_man_page(lines) if page == "4.3" else parse_rendered_html_page(lines)
    html_tables = parse_html_source(read_lines(seeds / html_file)) \
        if html_file else {}
    records = []
    statuses = committed_statuses(page)
    for table in tables:
        # Whether zlab builds a type is not the page's to say: it is kept from the committed
        # records (a type new to the page starts pending; the 4.0 page's types are all built).
        status = "active" if page == "4.0" else statuses.get(table.type, "pending")
        by_col = {r.column: r for r in table.rows}
        for column in COLUMNS:
            rid = f"socket/{table.type}/{column}"
            row = by_col.get(column)
            rec = {"id": rid, "type": table.type, "column": column}
            if row is None:
                rec.update({
                    "value": NONE_STATED, "status": status, "source_text": None,
                    "citation": {"file": text_file, "heading": table.title,
                                 "lines": [table.title_line, table.last_line],
                                 "note": f"the table has no '{COLUMNS[column]}' row"}})
            else:
                cell = cell_text(column, row.text)
                rec.update({"value": normalise(column, cell), "status": status,
                            "source_text": row.text,
                            "citation": {"file": text_file, "heading": table.title,
                                         "lines": [row.first, row.last], "quote": row.text}})
                if squash(cell).lower() == "drop (see text)":
                    rec["qualifier"] = "see text"
            if table.type in html_tables:
                first, last, _ = html_tables[table.type]
                rec["html"] = {"file": html_file, "lines": [first, last],
                               "quote": f"Summary of ZMQ_{table.type} characteristics"}
            records.append(rec)
    return {"page": page, "records": records}


# ---------------------------------------------------------------------------------------------
# validation


class SeedCache:
    def __init__(self, root: Path, man_pages: Optional[dict] = None):
        self.root = root
        self._lines = {}
        self.man_pages = man_pages or {}
        self._man = {}

    def lines(self, name: str) -> Optional[list]:
        if name not in self._lines:
            p = self.root / name
            self._lines[name] = read_lines(p) if p.is_file() else None
        return self._lines[name]


    def man_sections(self, name: str) -> Optional[dict]:
        """The installed man page `name` (sources.json "man_pages": its "local" file), rendered
        one paragraph a line, as {option heading: squashed text of its section}; None when the
        page or man(1) is not on this machine (then only the citation's shape is checked)."""
        if name not in self._man:
            self._man[name] = None
            local = self.man_pages.get(name, {}).get("local")
            if local and Path(local).is_file():
                self._man[name] = _man_sections(_render_man(local))
        return self._man[name]


def _render_man(path: str) -> str:
    import subprocess
    env = dict(os.environ, MANWIDTH="4000", LC_ALL="C.UTF-8")  # wide: no breaks, no hyphens
    try:
        out = subprocess.run(["man", "-P", "cat", "-l", path], env=env, capture_output=True,
                             text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    return re.sub(r".\x08", "", out)  # overstrike (bold, underline) as col -b would


def _man_sections(text: str) -> Optional[dict]:
    """Option sections ("   ZMQ_FOO: title" lines) of a rendered zmq_setsockopt-like page."""
    sections, name, body = {}, None, []
    for line in text.split("\n"):
        m = re.match(r"^ {1,4}(ZMQ_[A-Z0-9_]+):", line)
        if m:
            if name:
                sections[name] = squash(" ".join(body))
            name, body = m[1], [line]
        elif name:
            body.append(line)
    if name:
        sections[name] = squash(" ".join(body))
    return sections or None


def check_citation(c: Citation, seeds: SeedCache, where: str, known_files: set) -> list:
    problems = []
    if c.man is not None:
        if c.man not in seeds.man_pages:
            return [f"{where}: {c.man} is not a man page listed in sources.json"]
        if not c.section or not c.quote:
            return [f"{where}: {c.man} citation needs a section (the option) and a quote"]
        sections = seeds.man_sections(c.man)
        if sections is not None:
            if c.section not in sections:
                problems.append(f"{where}: {c.man} has no section {c.section}")
            elif squash(c.quote) not in sections[c.section]:
                problems.append(f"{where}: quoted text is not in {c.man} {c.section}: "
                                f"{c.quote[:70]!r}")
        return problems
    if c.rfc is not None:
        if c.rfc not in KNOWN_RFCS:
            problems.append(f"{where}: unknown RFC {c.rfc}")
        if not c.section:
            problems.append(f"{where}: RFC {c.rfc} citation without a section")
        if not c.quote:
            problems.append(f"{where}: RFC {c.rfc} citation without a quote")
        return problems
    if not c.file:
        return [f"{where}: citation names neither a seed file nor an RFC"]
    if c.file not in known_files:
        problems.append(f"{where}: {c.file} is not a seed listed in sources.json")
    lines = seeds.lines(c.file)
    if lines is None:
        return problems + [f"{where}: seed file {c.file} not found in {seeds.root}"]
    if not c.lines or len(c.lines) != 2 or not (1 <= c.lines[0] <= c.lines[1] <= len(lines)):
        return problems + [f"{where}: line range {c.lines} outside {c.file} (1..{len(lines)})"]
    cited = squash(" ".join(lines[c.lines[0] - 1:c.lines[1]]))
    if c.quote is not None and squash(c.quote) not in cited:
        problems.append(f"{where}: quoted text is not at {c.file}:{c.lines[0]}-{c.lines[1]}: "
                        f"{c.quote[:70]!r}")
    if c.heading is not None and not any(
            l.strip().startswith(c.heading.strip()) for l in lines[:c.lines[0]]):
        problems.append(f"{where}: no line up to {c.file}:{c.lines[0]} starts with the heading "
                        f"{c.heading!r}")
    if c.quote is None and c.heading is None:
        problems.append(f"{where}: citation has neither a quote nor a heading")
    return problems


def _check_unique(ids: list, what: str) -> list:
    seen, problems = set(), []
    for i in ids:
        if i in seen:
            problems.append(f"{what}: duplicate id {i}")
        seen.add(i)
    return problems


def check_record(rec: TableRecord, page: str, seeds: SeedCache, known: set,
                 classic: set = frozenset()) -> list:
    where = f"sockets-{page}:{rec.id}"
    problems = []
    m = RECORD_ID.match(rec.id)
    if not m or m[1] != rec.type or m[2] != rec.column:
        problems.append(f"{where}: id does not read socket/{rec.type}/{rec.column}")
    if rec.type not in ALL_TYPES:
        problems.append(f"{where}: unknown socket type {rec.type}")
    if rec.column not in COLUMNS:
        return problems + [f"{where}: unknown column {rec.column}"]
    if rec.status not in STATUSES:
        problems.append(f"{where}: unknown status {rec.status}")
    elif rec.type in classic and rec.status != "active":
        problems.append(f"{where}: status {rec.status} (classic types are active)")
    if rec.column == "compatible":
        if rec.value != NONE_STATED and (not isinstance(rec.value, list) or
                                         any(v not in ALL_TYPES for v in rec.value)):
            problems.append(f"{where}: compatible must be a list of socket type names")
    elif rec.value not in VOCABULARY[rec.column]:
        problems.append(f"{where}: {rec.value!r} is not in the {rec.column} vocabulary")
    problems += check_citation(rec.citation, seeds, where, known)
    if rec.html:
        problems += check_citation(rec.html, seeds, where + " (html)", known)
    if rec.value == NONE_STATED:
        lines = seeds.lines(rec.citation.file or "") or []
        lo, hi = rec.citation.lines or (1, 0)
        span = squash(" ".join(lines[lo - 1:hi]))
        if rec.citation.heading and squash(rec.citation.heading) not in span:
            problems.append(f"{where}: the cited lines do not hold {rec.citation.heading!r}")
        if COLUMNS[rec.column] in span:
            problems.append(f"{where}: recorded as none-stated but the cited table has a "
                            f"'{COLUMNS[rec.column]}' row")
    else:
        if not rec.source_text:
            problems.append(f"{where}: no source_text")
        else:
            if rec.citation.quote is not None and squash(rec.citation.quote) != squash(
                    rec.source_text):
                problems.append(f"{where}: citation quote differs from source_text")
            try:
                derived = normalise(rec.column, cell_text(rec.column, rec.source_text))
                if derived != rec.value:
                    problems.append(f"{where}: value {rec.value!r} but the text reads {derived!r}")
            except ValueError as e:
                problems.append(f"{where}: {e}")
    return problems


def check_rule(rule: Rule, seeds: SeedCache, known: set, probes: Optional[set],
               built: set = frozenset()) -> list:
    where = rule.id
    problems = []
    m = RULE_ID.match(rule.id)
    if not m:
        problems.append(f"{where}: id must read rule/<SCOPE>/<slug>")
    elif m[1].isupper() and m[1] not in rule.applies_to:
        problems.append(f"{where}: scope {m[1]} is a socket type not in applies_to")
    elif not m[1].isupper() and not m[1].islower():
        problems.append(f"{where}: scope must be a TYPE name or a lower-case group")
    if not rule.statement.strip():
        problems.append(f"{where}: empty statement")
    if not rule.applies_to or any(t not in ALL_TYPES for t in rule.applies_to):
        problems.append(f"{where}: applies_to must list known socket types")
    if rule.kind not in RULE_KINDS:
        problems.append(f"{where}: unknown kind {rule.kind!r}")
    want = "active" if any(t in built for t in rule.applies_to) else "pending"
    if rule.status != want:
        problems.append(f"{where}: status {rule.status} but should be {want} "
                        "(active when it applies to any built type)")
    if not rule.citations:
        problems.append(f"{where}: no citation")
    if rule.draft_api is not None and not re.fullmatch(r"ZMQ_[A-Z0-9_]+", rule.draft_api):
        problems.append(f"{where}: draft_api must name a zmq.h option (ZMQ_...)")
    for n, c in enumerate(rule.citations):
        problems += check_citation(c, seeds, f"{where} citation {n + 1}", known)
    if probes is not None:
        problems += [f"{where}: unknown probe {p}" for p in rule.evidence if p not in probes]
    return problems


def _target_exists(spec: Spec, target: str) -> bool:
    if target.startswith("rule/"):
        return spec.rule(target) is not None
    page, _, rid = target.partition(":")
    return spec.record(page, rid) is not None


def check_divergence(d: Divergence, spec: Spec, seeds: SeedCache, known: set,
                     probes: Optional[set]) -> list:
    where = d.id
    problems = []
    if not DIV_ID.match(d.id):
        problems.append(f"{where}: id must read div/<slug>")
    if d.kind not in DIVERGENCE_KINDS:
        problems.append(f"{where}: unknown kind {d.kind!r}")
    if any(t not in ALL_TYPES for t in d.applies_to):
        problems.append(f"{where}: applies_to must list known socket types")
    if len(d.sides) < 2:
        problems.append(f"{where}: a divergence needs at least two sides")
    for n, s in enumerate(d.sides):
        if not s.citations and not s.evidence:
            problems.append(f"{where} side {n + 1}: neither citation nor evidence")
        for c in s.citations:
            problems += check_citation(c, seeds, f"{where} side {n + 1}", known)
        if probes is not None:
            problems += [f"{where}: unknown probe {p}" for p in s.evidence if p not in probes]
    if set(d.follows) != set(PROFILES):
        problems.append(f"{where}: follows must say what each of {PROFILES} follows")
    for a in d.affects:
        if not _target_exists(spec, a):
            problems.append(f"{where}: affects unknown {a}")
    for target, value in d.engine_values.items():
        if target not in d.affects:
            problems.append(f"{where}: engine_values names {target}, which it does not affect")
        page, _, rid = target.partition(":")
        rec = spec.record(page, rid)
        if rec is not None:
            ok = (isinstance(value, list) and all(v in ALL_TYPES for v in value)) \
                if rec.column == "compatible" else value in VOCABULARY[rec.column]
            if not ok:
                problems.append(f"{where}: engine value {value!r} for {target} is not in the "
                                f"{rec.column} vocabulary")
    for cmd in d.commands:
        name = cmd.split()[-1]
        if "libzmq_probes.py" not in cmd or (probes is not None and name not in probes):
            problems.append(f"{where}: command {cmd!r} does not run a known probe")
    expectations = [e for e in spec.expectations if e.divergence == d.id]
    if d.profiles_differ and not expectations:
        problems.append(f"{where}: profiles differ but profiles.json has no expectation for it")
    return problems


def check_sources(spec: Spec, seeds: SeedCache) -> list:
    problems = []
    for name, entry in spec.sources.get("seeds", {}).items():
        p = seeds.root / name
        if not p.is_file():
            problems.append(f"sources: seed {name} not found in {seeds.root}")
            continue
        data = p.read_bytes()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            problems.append(f"sources: {name} changed (sha256 differs); re-check its citations")
        if len(read_lines(p)) != entry["lines"]:
            problems.append(f"sources: {name} line count differs from {entry['lines']}")
    return problems


def known_probes() -> Optional[set]:
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import libzmq_probes
        return set(libzmq_probes.PROBES)
    except Exception:  # pragma: no cover - the probe module is in the same folder
        return None
    finally:
        sys.path.pop(0)


def validate(spec: Spec, seeds: Path = None) -> list:
    """Every problem found in the spec data, as one line each; empty when it is consistent."""
    cache = SeedCache(Path(seeds) if seeds else seeds_dir(), spec.sources.get("man_pages"))
    known = set(spec.sources.get("seeds", {}))
    probes = known_probes()
    problems = check_sources(spec, cache)
    for page, records in spec.pages.items():
        problems += _check_unique([r.id for r in records], f"sockets-{page}")
        for rec in records:
            problems += check_record(rec, page, cache, known, classic_types(spec))
        types = {r.type for r in records}
        for t in types:
            cols = {r.column for r in records if r.type == t}
            if cols != set(COLUMNS):
                problems.append(f"sockets-{page}: {t} lacks records for {set(COLUMNS) - cols}")
            if len({r.status for r in records if r.type == t}) > 1:
                problems.append(f"sockets-{page}: {t}'s records differ in status (a type is "
                                "built or not)")
    problems += _check_unique([r.id for r in spec.rules], "rules")
    for rule in spec.rules:
        problems += check_rule(rule, cache, known, probes, built_types(spec))
    problems += _check_unique([d.id for d in spec.divergences], "divergences")
    for d in spec.divergences:
        problems += check_divergence(d, spec, cache, known, probes)
    if set(spec.profiles) != set(PROFILES):
        problems.append(f"profiles: must define exactly {PROFILES}")
    problems += _check_unique([f"{e.target} @ {e.divergence}" for e in spec.expectations],
                              "profiles")
    for e in spec.expectations:
        if not _target_exists(spec, e.target):
            problems.append(f"profiles: unknown target {e.target}")
        if spec.divergence(e.divergence) is None:
            problems.append(f"profiles: {e.target} names unknown divergence {e.divergence}")
        if set(e.expects) != set(PROFILES):
            problems.append(f"profiles: {e.target} must give a value for each of {PROFILES}")
    return problems


def locate(lines: list, quote: str) -> Optional[tuple]:
    """The first, smallest 1-based line range whose whitespace-squashed text contains quote."""
    want = squash(quote)
    for first in range(len(lines)):
        for last in range(first, len(lines)):
            acc = squash(" ".join(lines[first:last + 1]))
            if want in acc:
                while first < last and want in squash(" ".join(lines[first + 1:last + 1])):
                    first += 1
                return first + 1, last + 1
            if len(acc) > len(want) + 2000:
                break
    return None


# ---------------------------------------------------------------------------------------------
# reports


def _fmt(v) -> str:
    return ", ".join(v) if isinstance(v, list) else str(v)


def page_diff(spec: Spec) -> list:
    """(record, 4.0 value, 4.3 value, what differs) for every record that differs between the
    pages; a type present on only one page is one row, socket/TYPE/*."""
    old = {r.id: r for r in spec.pages.get("4.0", [])}
    new = {r.id: r for r in spec.pages.get("4.3", [])}
    old_types = {r.type for r in old.values()}
    new_types = {r.type for r in new.values()}
    rows = []
    for t in ALL_TYPES:
        if t in new_types and t not in old_types:
            rows.append((f"socket/{t}/*", "-", "6 records", "type only on the 4.3 page"))
        elif t in old_types and t not in new_types:
            rows.append((f"socket/{t}/*", "6 records", "-", "type only on the 4.0 page"))
        if t not in old_types or t not in new_types:
            continue
        for column in COLUMNS:
            rid = f"socket/{t}/{column}"
            a, b = old.get(rid), new.get(rid)
            if a is None or b is None:
                rows.append((rid, _fmt(a.value) if a else "-", _fmt(b.value) if b else "-",
                             "record missing on one page"))
            elif a.value != b.value:
                rows.append((rid, _fmt(a.value), _fmt(b.value), "value"))
            elif a.source_text and b.source_text and squash(cell_text(column, a.source_text)) \
                    != squash(cell_text(column, b.source_text)):
                rows.append((rid, squash(cell_text(column, a.source_text)),
                             squash(cell_text(column, b.source_text)), "wording only"))
    return rows


def _table(headers: tuple, rows: list) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)] if rows else \
        [len(h) for h in headers]
    line = lambda r: "  ".join(str(x).ljust(w) for x, w in zip(r, widths)).rstrip()
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--check", action="store_true", help="validate; exit 1 on problems")
    g.add_argument("--list", action="store_true", help="every record and rule id with status")
    g.add_argument("--diff-pages", action="store_true", help="where the 4.0 and 4.3 pages differ")
    g.add_argument("--extract", metavar="PAGE", choices=sorted(PAGES),
                   help="print the records derived from PAGE's seed text")
    g.add_argument("--locate", nargs=2, metavar=("SEED_FILE", "QUOTE"),
                   help="print the line range of QUOTE in a seed file (for writing citations)")
    ap.add_argument("--spec-dir", type=Path, default=SPEC_DIR)
    ap.add_argument("--seeds", type=Path, default=None, help="seed folder (default: "
                    "$ZLAB_SEEDS or shared/seeds beside the checkout)")
    args = ap.parse_args(argv)

    if args.locate:
        name, quote = args.locate
        found = locate(read_lines((args.seeds or seeds_dir()) / name), quote)
        if not found:
            print(f"not found in {name}: {quote!r}", file=sys.stderr)
            return 1
        print(json.dumps({"file": name, "lines": list(found), "quote": quote}))
        return 0
    if args.extract:
        print(json.dumps(extract_page(args.extract, args.seeds), indent=1, ensure_ascii=False))
        return 0
    spec = load_spec(args.spec_dir)
    if args.check:
        problems = validate(spec, args.seeds)
        for p in problems:
            print(p)
        n_rec = sum(len(v) for v in spec.pages.values())
        print(f"{'FAIL' if problems else 'ok'}: {n_rec} table records "
              f"({', '.join(f'{k}: {len(v)}' for k, v in sorted(spec.pages.items()))}), "
              f"{len(spec.rules)} rules, {len(spec.divergences)} divergences, "
              f"{len(spec.expectations)} profile expectations, {len(problems)} problems")
        return 1 if problems else 0
    if args.list:
        rows = []
        for page, records in sorted(spec.pages.items(), reverse=True):
            for r in records:
                rows.append((f"{page}:{r.id}", r.status, _fmt(r.value)))
        for r in spec.rules:
            rows.append((r.id, r.status, r.kind + " " + ",".join(r.applies_to)))
        print(_table(("id", "status", "value / kind and types"), rows))
        return 0
    if args.diff_pages:
        rows = page_diff(spec)
        print(_table(("record", "4.0 page", "4.3 page", "difference"), rows))
        changes = [d for d in spec.divergences if d.kind == "page-change"]
        if changes:
            print("\nProse differences between the pages (divergences.json, kind page-change):")
            print(_table(("divergence", "summary"),
                         [(d.id, d.summary if len(d.summary) <= 120 else d.summary[:119] + "…")
                          for d in changes]))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
