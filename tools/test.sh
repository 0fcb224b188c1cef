#!/usr/bin/env bash
# The course's test command (`make test`): unit and hygiene tests, every notebook run with papermill in
# course order, then nbval comparing the golden cells of each chapter notebook. Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
venv=${COURSE_VENV:-.venv}
export TF_USE_LEGACY_KERAS=1 TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-3}

shopt -s nullglob
chapters=(notebooks/[0-9][0-9]_*.ipynb)
"$venv/bin/python" -m pytest tests "${chapters[@]}" \
    --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg \
    --nbval-kernel-name tfx-step-by-step --nbval-cell-timeout 900 "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
    echo "test.sh: pytest collected no tests: the test selection is broken (or -m/-k matched nothing)." >&2
    exit 1
fi
exit "$rc"
