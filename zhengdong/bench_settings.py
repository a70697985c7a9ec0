"""Settings of the benchmark's web server only: production settings plus the ceiling view's
URL (``zhengdong.bench_urls``). Never used by the product itself."""

import os

from zhengdong.settings import *  # noqa: F403

ROOT_URLCONF = "zhengdong.bench_urls"
# The bench collects static files into a temporary folder (hashed, compressed, as deployed).
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
