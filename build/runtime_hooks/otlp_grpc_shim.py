"""PyInstaller runtime hook: stand in for OpenTelemetry's OTLP-over-gRPC trace exporter.

`chromadb.telemetry.opentelemetry` imports `OTLPSpanExporter` from
`opentelemetry.exporter.otlp.proto.grpc.trace_exporter` at module level but only builds
one when OpenTelemetry export is configured (`chroma_otel_granularity` other than
"none" with a collector endpoint) — the program never configures it. The exporter needs
gRPC (~17 MB), which the build leaves out (build/pyinstaller_trim.py), so this hook
registers a module of that name whose exporter refuses to be built with a clear reason.
If gRPC is in the bundle after all, the real module is used.
"""

from __future__ import annotations

import sys
import types

SHIMMED_MODULE = "opentelemetry.exporter.otlp.proto.grpc.trace_exporter"


class OTLPSpanExporter:
    """Fails loudly if anything ever tries to export traces from the packaged build."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError(
            "OpenTelemetry export over gRPC is not included in the packaged Ottenok build; "
            "leave chroma_otel_granularity unset"
        )


def install(modules: dict[str, types.ModuleType] | None = None) -> bool:
    """Register the stand-in unless gRPC (and so the real exporter) is importable."""
    modules = sys.modules if modules is None else modules
    if SHIMMED_MODULE in modules:
        return False
    try:
        import grpc  # noqa: F401
    except ImportError:
        pass
    else:
        return False
    module = types.ModuleType(SHIMMED_MODULE, __doc__)
    module.OTLPSpanExporter = OTLPSpanExporter  # type: ignore[attr-defined]
    modules[SHIMMED_MODULE] = module
    return True


install()
