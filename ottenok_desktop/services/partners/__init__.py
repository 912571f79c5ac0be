"""The partners file (partners.xlsx): reading, validation, the loaded book."""
