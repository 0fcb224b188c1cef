#!/usr/bin/env bash
# The course's test command (`make test`): unit and hygiene tests, then every notebook in course order,
# each executed once by papermill (FAST = True) and checked cell by cell by nbval on that execution (golden
# cells compared after tests/nbval_sanitize.cfg; see tests/notebook_execution.py). Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
venv=${COURSE_VENV:-.venv}
export TF_USE_LEGACY_KERAS=1 TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-3}

mapfile -t notebooks < <("$venv/bin/python" -m utils.course)
"$venv/bin/python" -m pytest tests "${notebooks[@]}" "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
    echo "test.sh: pytest collected no tests: the test selection is broken (or -m/-k matched nothing)." >&2
    exit 1
fi
exit "$rc"
