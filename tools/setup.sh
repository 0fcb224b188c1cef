#!/usr/bin/env bash
# Set up the course environment: a project-local virtual environment on Python 3.10 holding exactly
# the packages of requirements.lock, the `utils` package installed editable, and a named Jupyter kernel.
#
# It installs the course's JupyterLab settings (jupyter/overrides.json: no news, no update checks) where
# JupyterLab reads setting overrides, <venv>/share/jupyter/lab/settings/overrides.json.
#
# It also installs what `make slides` needs: the npm packages of package-lock.json (reveal.js, mermaid-cli;
# `npm ci` with PUPPETEER_SKIP_DOWNLOAD=1, so no browser download) and Debian's Chromium (apt-get, as root,
# only when /usr/bin/chromium is missing). When it cannot (no node/npm, not root, no apt-get) it prints what
# to install and carries on: the notebooks do not need them, and `make slides` stops with the same message.
#
# Idempotent: when nothing changed since the last successful run it checks and exits in well under a second.
# Environment knobs:
#   PYTHON=/path/to/python3.10   use this interpreter instead of searching for one
#   COURSE_VENV=path             put the virtual environment there instead of .venv
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

venv=${COURSE_VENV:-.venv}
kernel_name=tfx-step-by-step
kernel_display="TFX step by step (Python 3.10)"
stamp="$venv/.course-setup-stamp"

npm_stamp=node_modules/.course-npm-stamp
chromium=${COURSE_CHROMIUM:-/usr/bin/chromium}

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

is_py310() { [ "$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "3.10" ]; }

find_python() {
    local candidate
    if [ -n "${PYTHON:-}" ]; then
        is_py310 "$PYTHON" || die "PYTHON=$PYTHON is not a working Python 3.10."
        echo "$PYTHON"; return
    fi
    # 1. on PATH (a pyenv shim on PATH may exist and still refuse to run: is_py310 tests that)
    for candidate in python3.10 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 && is_py310 "$candidate"; then
            command -v "$candidate"; return
        fi
    done
    # 2. installed by pyenv but not the selected version
    if command -v pyenv >/dev/null 2>&1; then
        for candidate in "$(pyenv root)"/versions/3.10*/bin/python3.10; do
            if [ -x "$candidate" ] && is_py310 "$candidate"; then echo "$candidate"; return; fi
        done
    fi
    # 3. the active conda environment (made from environment.yml)
    if [ -n "${CONDA_PREFIX:-}" ] && is_py310 "$CONDA_PREFIX/bin/python"; then
        echo "$CONDA_PREFIX/bin/python"; return
    fi
    # 4. a Python managed by uv
    if command -v uv >/dev/null 2>&1; then
        candidate=$(uv python find 3.10 2>/dev/null || true)
        if [ -n "$candidate" ] && is_py310 "$candidate"; then echo "$candidate"; return; fi
    fi
    cat >&2 <<'EOF'
[setup] ERROR: no Python 3.10 found.
  TFX 1.16 (the version this course locks) publishes wheels for Python 3.9 and 3.10 only.
  Get a Python 3.10 in one of these ways, then run the command again:
    pyenv:  pyenv install 3.10      (pyenv need not make it the default: the set-up finds it)
    conda:  conda env create -f environment.yml && conda activate tfx-step-by-step
    uv:     uv python install 3.10
    or point the set-up at one:  PYTHON=/path/to/python3.10 make setup
EOF
    exit 1
}

fingerprint() {
    # Everything that decides what the environment holds.
    {
        cat requirements.lock pyproject.toml tools/setup.sh
        "$venv/bin/python" -c 'import sys; print(sys.version)' 2>/dev/null || true
    } | sha256sum | cut -d' ' -f1
}

kernel_dir="$venv/share/jupyter/kernels/$kernel_name"

# JupyterLab applies the overrides of <app dir>/settings/overrides.json (app dir: <venv>/share/jupyter/lab)
# to every user's defaults. A copy of the course's file, compared byte for byte: no stamp needed.
lab_overrides=jupyter/overrides.json
lab_overrides_installed="$venv/share/jupyter/lab/settings/overrides.json"

lab_settings_ready() { cmp -s "$lab_overrides" "$lab_overrides_installed"; }

install_lab_settings() {
    lab_settings_ready && return 0
    say "installing the course's JupyterLab settings: $lab_overrides -> $lab_overrides_installed"
    mkdir -p "$(dirname "$lab_overrides_installed")"
    cp "$lab_overrides" "$lab_overrides_installed"
}

npm_fingerprint() { sha256sum package-lock.json | cut -d' ' -f1; }

slides_ready() {
    # The slide build's prerequisites: node_modules installed from this package-lock.json, and Chromium.
    [ -f "$npm_stamp" ] && [ "$(cat "$npm_stamp")" = "$(npm_fingerprint)" ] && [ -x "$chromium" ]
}

install_slide_tools() {
    # Install what `make slides` needs where this machine allows it; never fail the Python set-up.
    if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
        if [ ! -f "$npm_stamp" ] || [ "$(cat "$npm_stamp")" != "$(npm_fingerprint)" ]; then
            say "installing the slides' npm packages from package-lock.json (npm ci, no browser download)"
            if PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; then
                npm_fingerprint > "$npm_stamp"
            else
                say "WARNING: npm ci failed (message above)"
            fi
        fi
    fi
    if [ ! -x "$chromium" ] && [ "$chromium" = /usr/bin/chromium ] && [ "$(id -u)" = 0 ] \
       && command -v apt-get >/dev/null 2>&1; then
        say "installing Debian's chromium for the slides (apt-get)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
            || say "WARNING: apt-get install chromium failed (message above)"
    fi
}

report_slide_tools() {
    # Whatever is still missing: the same message `make slides` stops with.
    "$venv/bin/python" tools/slides.py --check-prerequisites \
        || say "continuing without the slide tools: the notebooks do not need them"
}

git_filter() {
    # Outputs of a student's runs never show in `git status` (utils/committed_form.py): JupyterLab's
    # pre-save hook (jupyter/jupyter_server_config.json, as the venv's main Jupyter server config file: the
    # server reads only extension switches from jupyter_server_config.d/), and
    # git's clean filter for the notebooks (.gitattributes), registered in this clone's git config.
    mkdir -p "$venv/etc/jupyter"
    cp jupyter/jupyter_server_config.json "$venv/etc/jupyter/jupyter_server_config.json"
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        "$venv/bin/python" tools/nbclean.py --install-git-filter \
            || say "could not register the notebook filter in git config: outputs will show in git status"
    fi
}

# Fast path: nothing to do.
python_ready=false
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ -f "$kernel_dir/kernel.json" ] \
   && [ "$(cat "$stamp")" = "$(fingerprint)" ]; then
    python_ready=true
fi
if $python_ready && lab_settings_ready && slides_ready; then
    say "environment $venv is up to date (requirements.lock unchanged)"
    git_filter
    exit 0
fi
if $python_ready; then
    # Only the JupyterLab settings (jupyter/overrides.json changed) or the slide tools (package-lock.json
    # changed, no node_modules, no Chromium) are missing or out of date: the Python environment is left alone.
    say "environment $venv is up to date (requirements.lock unchanged); checking the JupyterLab settings" \
        "and the slide tools"
    install_lab_settings
    install_slide_tools
    report_slide_tools
    git_filter
    exit 0
fi

check_platform() {
    # The locked stack has wheels for Linux x86_64 and macOS x86_64 only (tensorflow-data-validation,
    # ml-metadata, tfx-bsl 1.16): elsewhere the install would end in a resolver error. Say what to do instead.
    # COURSE_UNAME_S / COURSE_UNAME_M stand in for `uname -s` / `uname -m` (tests/test_platforms.py).
    local system=${COURSE_UNAME_S:-$(uname -s)} machine=${COURSE_UNAME_M:-$(uname -m)}
    case "$system/$machine" in
        Linux/x86_64|Darwin/x86_64) return ;;
        Darwin/arm64)
            die "this is a Mac with Apple silicon (arm64). TFX 1.16's data libraries (tensorflow-data-validation,
  ml-metadata, tfx-bsl) publish no arm64 wheels for macOS, so the course cannot install natively. Either
  run it in a Linux x86_64 container or VM (e.g. Docker Desktop, OrbStack or UTM with an amd64 image), or
  use an x86_64 Python 3.10 under Rosetta 2: open the terminal with \`arch -x86_64 zsh\`, install an
  x86_64 Python 3.10 (python.org's universal2 installer, or Homebrew under /usr/local), then run
  \`PYTHON=/path/to/that/python3.10 make setup\` from that shell." ;;
        MINGW*|MSYS*|CYGWIN*|Windows*)
            die "this is Windows. TFX 1.16 publishes no Windows wheels (tensorflow-data-validation, ml-metadata,
  tfx-bsl). Install WSL2 with Ubuntu (\`wsl --install -d Ubuntu\` in an administrator PowerShell), then
  clone the course inside WSL and run \`make course\` there; JupyterLab opens in your Windows browser." ;;
        Linux/aarch64|Linux/arm64)
            die "this is Linux on arm64 (aarch64). TFX 1.16's data libraries (tensorflow-data-validation,
  ml-metadata, tfx-bsl) publish Linux wheels for x86_64 only. Use an x86_64 machine or VM (a cloud VM, or
  an amd64 container under emulation, which is slow)." ;;
        *)
            die "this is $system on $machine. The course's locked packages install on Linux x86_64 and macOS
  x86_64 only (TFX 1.16's data libraries have no other wheels): use such a machine, VM or container." ;;
    esac
}

start=$(date +%s)
check_platform
python=$(find_python)
# The slide tools (npm, apt) install in the background while the Python environment is made.
slide_log=$(mktemp)
install_slide_tools > "$slide_log" 2>&1 &
slide_pid=$!
say "using $python ($("$python" --version 2>&1))"

if [ -x "$venv/bin/python" ] && ! is_py310 "$venv/bin/python"; then
    say "$venv is not a Python 3.10 environment: recreating it"
    rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
    say "creating virtual environment $venv"
    "$python" -m venv "$venv"
fi

# uv installs the ~280 locked packages about ten times faster than pip. It is itself in the lock;
# bootstrap it with the env's own pip when it is missing or of another version.
uv_pin=$(sed -n 's/^uv==//p' requirements.lock)
if [ "$("$venv/bin/uv" --version 2>/dev/null | cut -d' ' -f2)" != "$uv_pin" ]; then
    say "installing uv $uv_pin into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$uv_pin" \
        || die "could not install uv from PyPI. Check the network or a proxy (pip config list), then retry."
fi

say "installing requirements.lock into $venv (uv pip sync)"
VIRTUAL_ENV="$here/$venv" "$venv/bin/uv" pip sync --python "$venv/bin/python" requirements.lock \
    || die "installing the locked packages failed (see uv's message above). If a download failed, retry;
  if a package has no wheel for this machine, this machine is not Linux x86_64 / glibc >= 2.31."
VIRTUAL_ENV="$here/$venv" "$venv/bin/uv" pip install --quiet --python "$venv/bin/python" \
    --no-deps --no-build-isolation -e . \
    || die "installing the course's utils package (pip install -e .) failed."

say "registering the Jupyter kernel '$kernel_name'"
"$venv/bin/python" -m ipykernel install --sys-prefix --name "$kernel_name" \
    --display-name "$kernel_display" --env TF_USE_LEGACY_KERAS 1 --env TF_CPP_MIN_LOG_LEVEL 3 >/dev/null
install_lab_settings

# The stack must import: catch a broken install here rather than in the first notebook.
TF_USE_LEGACY_KERAS=1 TF_CPP_MIN_LOG_LEVEL=3 "$venv/bin/python" -m utils.kernel --check \
    || die "the environment was installed but the TFX stack does not import (message above)."

git_filter
fingerprint > "$stamp"
wait "$slide_pid" || true
cat "$slide_log"; rm -f "$slide_log"
report_slide_tools
say "done in $(( $(date +%s) - start )) s. Kernel: '$kernel_display'."
