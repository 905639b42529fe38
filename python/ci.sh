#!/usr/bin/env bash
# CI step for the Python package: builds the wheel (profile py-ci, unoptimised: the test
# data is small and this builds fastest), installs it with pyspark in target/py-venv, and
# runs python/tests (the Spark checks on a two-executor local cluster) and tests/roundtrip
# (files written by pandas, polars, DuckDB and pyarrow, pseudonymized and read back by the
# same tool), against the CLI at target/debug/shroud.
# Needs python3 (3.9+) and Java 17; .ci/run skips this step, loudly, without them.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/py-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check maturin "pyspark[connect]==4.*" pyarrow "pandas<3" "polars==2.*" "duckdb==2.*" pytest
start=$(date +%s)
rm -rf target/py-wheel
"$venv/bin/maturin" build --quiet --profile py-ci -m python/Cargo.toml -i "$venv/bin/python" \
  --out target/py-wheel
"$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps target/py-wheel/shroud-*.whl
echo "python: wheel built and installed in $(( $(date +%s) - start )) s"
start=$(date +%s)
PYTHONDONTWRITEBYTECODE=1 SHROUD_BIN="${SHROUD_BIN:-$PWD/target/debug/shroud}" \
  "$venv/bin/python" -m pytest -q -p no:cacheprovider python/tests tests/roundtrip
echo "python: tests ran in $(( $(date +%s) - start )) s"
