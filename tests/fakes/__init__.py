"""Hand-written fakes that speak the real protocols (no mocks)."""
