"""The operator console (PySide6 only). It hears the engine only through `bridge.Bridge`."""
