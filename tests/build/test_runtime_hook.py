"""Without gRPC in the bundle, chromadb still imports and stores/queries vectors: the
runtime hook stands in for the OTLP exporter module chromadb imports but never builds."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

from tests.build._loader import ROOT, load

hook = load("runtime_hooks/otlp_grpc_shim.py")

# A child interpreter where grpc and the OTLP gRPC exporter cannot be imported (as in the bundle).
CHILD = r"""
import importlib.abc, runpy, sys, tempfile
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "grpc" or name.startswith(("grpc.", "opentelemetry.exporter.otlp.proto.grpc")):
            raise ImportError("left out of the bundle: " + name)
sys.meta_path.insert(0, Block())
runpy.run_path(sys.argv[1])
import chromadb
client = chromadb.PersistentClient(path=tempfile.mkdtemp(prefix="Әйгерім-"))
shelf = client.get_or_create_collection("knowledge")
shelf.add(ids=["loafers"], embeddings=[[0.9, 0.1, 0.0]], documents=["Лоферы Chanel 36-40"])
shelf.add(ids=["boots"], embeddings=[[0.0, 0.2, 0.9]], documents=["Ботинки Prada"])
print(shelf.query(query_embeddings=[[1.0, 0.0, 0.0]], n_results=1)["ids"][0][0])
print("grpc" in sys.modules)
"""


def test_chromadb_works_without_grpc_thanks_to_the_hook() -> None:
    pytest.importorskip("chromadb")
    proc = subprocess.run([sys.executable, "-c", CHILD, str(ROOT / "build" / "runtime_hooks" / "otlp_grpc_shim.py")],
                          capture_output=True, text=True, encoding="utf-8", timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["loafers", "False"]


def test_the_stand_in_refuses_to_export() -> None:
    modules: dict[str, types.ModuleType] = {}
    blocked = sys.modules.get("grpc", None)
    sys.modules["grpc"] = None  # type: ignore[assignment]  # `import grpc` raises ImportError
    try:
        assert hook.install(modules) is True
    finally:
        if blocked is None:
            del sys.modules["grpc"]
        else:
            sys.modules["grpc"] = blocked
    exporter = modules[hook.SHIMMED_MODULE].OTLPSpanExporter  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match="not included in the packaged"):
        exporter(endpoint="https://collector.example")


def test_with_grpc_available_the_real_exporter_is_used() -> None:
    pytest.importorskip("grpc")
    modules: dict[str, types.ModuleType] = {}
    assert hook.install(modules) is False and modules == {}
