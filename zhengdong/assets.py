"""Static assets: plotly.min.js from the installed plotly package (no CDN, no copy in the
repo), and the storage that hashes and compresses what collectstatic gathers.

Only that one plotly file: the package's data folder also holds datasets and widget bundles
that would triple what collectstatic copies and compresses."""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
PLOTLY_FILES = {"plotly/plotly.min.js": "plotly.min.js"}


class PlotlyFinder(BaseFinder):
    storage = FileSystemStorage(location=PLOTLY_DIR)

    def find(self, path, find_all=False, **kwargs):
        # Nothing found is [] either way, as Django's own finders answer: since Django 5.2
        # ``finders.find()`` gathers each finder's answer into a list, and a None here
        # came back from it as [None] (truthy) instead of "not found".
        if path in PLOTLY_FILES:
            match = str(PLOTLY_DIR / PLOTLY_FILES[path])
            return [match] if find_all else match
        return []

    def list(self, ignore_patterns):
        for name in PLOTLY_FILES.values():
            storage = FileSystemStorage(location=PLOTLY_DIR)
            storage.prefix = "plotly"
            yield name, storage

    def check(self, **kwargs):
        missing = [name for name in PLOTLY_FILES.values() if not (PLOTLY_DIR / name).exists()]
        return [f"plotly asset missing: {name}" for name in missing]


class GzipManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed names and gzip copies. Brotli at its top quality takes minutes over the
    Swagger and Plotly bundles on a 2-core machine; gzip is near as small for JS."""

    def create_compressor(self, **kwargs):
        return super().create_compressor(use_brotli=False, **kwargs)
