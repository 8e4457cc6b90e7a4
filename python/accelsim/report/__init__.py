"""Reporting: validation against measurements, plots, Chrome/Perfetto traces."""
