#!/usr/bin/env bash
# `make lab`: JupyterLab on the course folder, reachable from this machine only.
#
# - It listens on 127.0.0.1 only, never on the network: the token is all that guards a server that runs
#   any code it is sent. From another machine use an SSH tunnel (ssh -L 8888:127.0.0.1:8888 host).
# - Its root is the course folder, so notebooks/, slides/ and data/ are all in the file browser.
# - As root (containers usually run as root) it adds --allow-root, which JupyterLab requires then; as a normal
#   user it does not.
# - It opens a browser only for a normal user on a desktop (DISPLAY or WAYLAND_DISPLAY set). Otherwise (root,
#   a headless machine, SSH) it does not try: JupyterLab prints the URL with its token at the end of its
#   start-up messages; open that URL in a browser.
# - The news and update checks are off through the course's settings, jupyter/overrides.json, which
#   `make setup` installs into the venv.
#
# Arguments go to `jupyter lab` (make lab LAB_ARGS="--port=9999"). Stop it with Ctrl-C twice.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
venv=${COURSE_VENV:-.venv}

args=(--ServerApp.ip=127.0.0.1 "--ServerApp.root_dir=$here")
if [ "$(id -u)" = 0 ]; then
    args+=(--allow-root)
fi
if [ "$(id -u)" = 0 ] || [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    args+=(--ServerApp.open_browser=False)
    how="no browser is opened here: open the URL http://127.0.0.1:…/lab?token=… that it prints below"
else
    how="it opens your browser; if it does not, open the URL http://127.0.0.1:…/lab?token=… printed below"
fi
printf '[lab] JupyterLab on %s, for this machine only (127.0.0.1);\n' "$here"
printf '[lab] %s.\n[lab] Stop it with Ctrl-C twice.\n' "$how"
exec "$venv/bin/jupyter" lab "${args[@]}" "$@"
