"""The promotions file (promotions.xlsx): reading, validation, the loaded book."""
