"""Adapters for customers' media: downloading voice notes and pictures, storing what they meant."""
