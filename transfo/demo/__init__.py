"""Demo data: the La Transfo programme 2016–2020 (content.py), loaded by loader.py."""
from .loader import count_rows, ensure_site_pages, load_demo

__all__ = ["count_rows", "ensure_site_pages", "load_demo"]
