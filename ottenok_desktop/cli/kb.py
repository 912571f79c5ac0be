"""`kb` subcommands: build the knowledge index, search it, inspect what one file yields.

    kb build [--source DIR] [--json]
    kb search TEXT [--k N] [--json]
    kb inspect FILE [--json]

`--json` prints one JSON document on stdout; errors go to stderr with exit code ≠ 0.
When the configured knowledge folder does not exist, the bundled sample shop is used.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ottenok_desktop.services.knowledge.service import KnowledgeBase
    from ottenok_desktop.settings import Settings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    kb = subparsers.add_parser("kb", help="knowledge base: build, search, inspect")
    commands = kb.add_subparsers(dest="kb_command", metavar="{build,search,inspect}")
    commands.required = True

    build = commands.add_parser("build", help="rebuild the index from the knowledge folder")
    build.add_argument("--source", metavar="DIR", help="knowledge folder (default: KNOWLEDGE_BASE_DIR)")
    build.add_argument("--json", action="store_true", help="print one JSON document")

    search = commands.add_parser("search", help="search the knowledge base")
    search.add_argument("text", metavar="TEXT")
    search.add_argument("--k", type=int, default=5, metavar="N", help="number of results (default 5)")
    search.add_argument("--json", action="store_true", help="print one JSON document")

    inspect = commands.add_parser("inspect", help="show what the builder takes from one file")
    inspect.add_argument("file", metavar="FILE")
    inspect.add_argument("--json", action="store_true", help="print one JSON document")

    kb.set_defaults(handler=run)


def _error(message: str, code: int = EXIT_FAILED) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _emit(payload: object) -> None:
    print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def source_dir_for(settings: Settings, override: str | None = None) -> Path:
    """The folder to index: --source, else the configured one, else the sample shop."""
    if override:
        return Path(override).expanduser().resolve()
    configured = Path(settings.knowledge_dir)
    if configured.is_dir():
        return configured
    from ottenok_desktop.paths import sample_data_dir

    return sample_data_dir() / "knowledge_base"


def _knowledge_base(settings: Settings, source: Path, executor: ThreadPoolExecutor) -> KnowledgeBase:
    from ottenok_desktop.engine.events import EventBus
    from ottenok_desktop.services.knowledge.service import KnowledgeBase

    return KnowledgeBase(
        source,
        Path(settings.index_dir),
        EventBus(),
        executor,
        openai_api_key=settings.openai_api_key,
        openai_base_url=settings.openai_base_url,
        embedding_model=settings.openai_embedding_model,
    )


def run(args: argparse.Namespace) -> int:
    command = getattr(args, "kb_command", None)
    try:
        if command == "build":
            return _build(args)
        if command == "search":
            return _search(args)
        if command == "inspect":
            return _inspect(args)
    except KeyboardInterrupt:
        return _error("interrupted", 130)
    except Exception as exc:  # the CLI reports, it does not print tracebacks
        return _error(f"{type(exc).__name__}: {exc}")
    return _error("choose one of: kb build, kb search, kb inspect", EXIT_USAGE)


def _build(args: argparse.Namespace) -> int:
    source = source_dir_for(args.settings, args.source)
    if not source.is_dir():
        return _error(f"knowledge folder not found: {source}", EXIT_USAGE)
    with ThreadPoolExecutor(max_workers=1) as executor:
        kb = _knowledge_base(args.settings, source, executor)
        kb._open_current()  # a failed build must report which version keeps serving
        report = kb.rebuild_sync()
    documents = [d.__dict__ for d in report.documents]
    if args.json:
        _emit({
            "ok": report.ok, "source": str(source), "version": report.version, "files": report.files,
            "chunks": report.chunks, "seconds": round(report.seconds, 3), "embedding": report.embedding,
            "warnings": list(report.warnings), "errors": [{"file": f, "reason": r} for f, r in report.errors],
            "documents": documents,
        })
    if not report.ok:
        for file, reason in report.errors:
            print(f"error: {file}: {reason}", file=sys.stderr)
        serving = report.version or "none"
        print(f"build rejected; the previous index keeps serving (version: {serving})", file=sys.stderr)
        return EXIT_FAILED
    if not args.json:
        print(f"built {report.version}: {report.files} files, {report.chunks} chunks in {report.seconds:.2f} s "
              f"({report.embedding}) from {source}")
        for document in report.documents:
            print(f"  {document.status:5} {document.chunks:4} chunks  {document.kind:7} {document.file}")
        for warning in report.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _search(args: argparse.Namespace) -> int:
    if args.k < 1:
        return _error("--k must be at least 1", EXIT_USAGE)
    if not args.text.strip():
        return _error("the search text is empty", EXIT_USAGE)
    source = source_dir_for(args.settings)
    with ThreadPoolExecutor(max_workers=1) as executor:
        kb = _knowledge_base(args.settings, source, executor)
        if not kb._open_current():  # first use: build the index
            report = kb.rebuild_sync()
            if not report.ok:
                for file, reason in report.errors:
                    print(f"error: {file}: {reason}", file=sys.stderr)
                return _error("no knowledge index could be built")
        hits = kb.search_sync(args.text, args.k)
        version = kb.version
        kb_close = getattr(kb, "_version", None)
        if kb_close is not None:
            kb_close.close()
    results = [
        {"rank": i, "source": h.source, "section": h.section, "kind": h.kind, "text": h.text, "score": h.score,
         "metadata": h.metadata}
        for i, h in enumerate(hits, start=1)
    ]
    if args.json:
        _emit({"query": args.text, "version": version, "results": results})
        return EXIT_OK
    if not results:
        print("nothing found")
    for result in results:
        where = f"{result['source']}" + (f" — {result['section']}" if result["section"] else "")
        print(f"{result['rank']}. [{result['score']:.4f}] {where}")
        for line in result["text"].splitlines():
            print(f"     {line}")
    return EXIT_OK


def _inspect(args: argparse.Namespace) -> int:
    from ottenok_desktop.services.knowledge.inspect import inspect_file
    from ottenok_desktop.services.knowledge.models import DocumentError

    path = Path(args.file).expanduser()
    if not path.is_file():
        return _error(f"file not found: {path}", EXIT_USAGE)
    try:
        result = inspect_file(path)
    except DocumentError as exc:
        return _error(str(exc))
    if args.json:
        _emit(result)
        return EXIT_OK
    if result["type"] == "chat":
        print(f"{result['file']}: WhatsApp export, {len(result['messages'])} messages")
        for m in result["messages"]:
            flags = "".join(f for f, on in (("S", m["is_system"]), ("M", m["is_media"]), ("A", bool(m["attachment"]))) if on)
            author = m["author"] or "(system)"
            print(f"{m['line']:5}  {m['timestamp']}  {flags:2} {author}: {m['text']}")
    else:
        print(f"{result['file']}: {result['kind']}, {len(result['chunks'])} chunks")
        for number, chunk in enumerate(result["chunks"], start=1):
            print(f"--- {number} [{chunk['section']}]")
            print(chunk["text"])
    return EXIT_OK
