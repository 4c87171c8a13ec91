"""Serve plotly.js from the installed plotly package, so the page and the Python figures share one version."""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = "vendor/plotly/plotly.min.js"
PACKAGE_DATA = Path(plotly.__file__).parent / "package_data"


class PlotlyFinder(BaseFinder):
    storage = FileSystemStorage(location=PACKAGE_DATA)
    storage.prefix = "vendor/plotly"

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path != PLOTLY_JS:
            return [] if find_all or kwargs.get("all") else None
        match = str(PACKAGE_DATA / "plotly.min.js")
        return [match] if find_all or kwargs.get("all") else match

    def list(self, ignore_patterns):
        yield "plotly.min.js", self.storage
