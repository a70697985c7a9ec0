"""`manage.py bench` sections. Each module has ``run(*, out, rows, options)`` and prints
lines ``BENCH <name> <value> <unit>``; figures are ratios against a baseline measured in
the same run wherever an issue asks for one."""

SECTIONS = {
    "rollup": "targets.bench.rollup",
    "overview": "targets.bench.overview",
    "export": "targets.bench.export",
}
