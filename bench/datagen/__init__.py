"""Seeded generators of the side-by-side benchmark datasets (see bench/make_data.py)."""
