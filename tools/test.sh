#!/usr/bin/env bash
# The course's test command (`make test`): unit and hygiene tests, and every notebook in course order, each
# executed once by papermill (FAST = True) and checked cell by cell by nbval on that execution (golden cells
# compared after tests/nbval_sanitize.cfg; see tests/notebook_execution.py).
#
# With no arguments, two pytest processes run side by side (COURSE_TEST_JOBS=2, the default), each with its
# own work folder, so no ML Metadata file is ever written by two processes: the chapter notebooks (and the
# tests that execute notebooks of their own, and the model server's tests) in one; the unit, hygiene, slide
# and Jupyter server tests, then the solutions notebooks (which rebuild their upstream in that work folder)
# in the other. Its report is printed
# when the first ends. `make bench` measured this split 1.45x faster than one process and the split with
# the solutions among the chapters 1.30x (COURSE_TEST_SPLIT=unit). COURSE_TEST_JOBS=1, or any argument
# (they go to pytest), runs one pytest process.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
venv=${COURSE_VENV:-.venv}
export TF_USE_LEGACY_KERAS=1 TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-3}

mapfile -t notebooks < <("$venv/bin/python" -m utils.course)

no_tests() {
    echo "test.sh: pytest collected no tests: the test selection is broken (or -m/-k matched nothing)." >&2
    exit 1
}

if [ $# -gt 0 ] || [ "${COURSE_TEST_JOBS:-2}" = 1 ]; then
    "$venv/bin/python" -m pytest tests "${notebooks[@]}" "$@"
    rc=$?
    [ "$rc" -eq 5 ] && no_tests
    exit "$rc"
fi

log_dir=build/test-logs
mkdir -p "$log_dir"
unit_log=$log_dir/unit.log
echo "test.sh: unit, hygiene, slide and server tests, then the solutions, run beside the chapters: $unit_log"
unit_selection="(not notebook and not model_server) or solutions"
notebook_selection="(notebook and not solutions) or model_server"
if [ "${COURSE_TEST_SPLIT:-solutions}" = unit ]; then
    unit_selection="not notebook" notebook_selection="notebook"
fi
COURSE_TEST_WORKDIR=build/test-work-unit "$venv/bin/python" -m pytest tests "${notebooks[@]}" \
    -m "$unit_selection" -p no:cacheprovider > "$unit_log" 2>&1 &
unit_pid=$!
trap 'kill "$unit_pid" 2>/dev/null' EXIT INT TERM
"$venv/bin/python" -m pytest tests "${notebooks[@]}" -m "$notebook_selection"
notebooks_rc=$?
wait "$unit_pid"
unit_rc=$?
trap - EXIT INT TERM
echo
echo "================ unit, hygiene, slide and server tests ($unit_log) ================"
cat "$unit_log"
{ [ "$notebooks_rc" -eq 5 ] || [ "$unit_rc" -eq 5 ]; } && no_tests
[ "$notebooks_rc" -ne 0 ] && exit "$notebooks_rc"
exit "$unit_rc"
