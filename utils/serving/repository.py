"""The models a server serves: folders of numbered versions, version policies, labels, and the loader.

A model's base path holds one folder per version, named by an integer (what TFX's Pusher writes:
``<base>/<version>/saved_model.pb``). Each poll (``--file_system_poll_wait_seconds``):

1. list the version folders; a folder is *ready* once it holds ``saved_model.pb`` and its listing (names,
   sizes, modification times) is the same as at the previous poll, so a version still being copied is never
   loaded (at start-up, a listing untouched for ``SETTLE_SECONDS`` counts as stable);
   TFX's Pusher copies ``saved_model.pb`` last for that reason; the stable listing also covers copies
   made otherwise (``shutil.copytree``, ``cp -r``);
2. the *aspired* versions are the ready versions the model's version policy keeps (latest N, default 1;
   specific versions; all);
3. aspired versions not loaded are loaded (newest first) and warmed up with their
   ``assets.extra/tf_serving_warmup_requests``; a failed load is logged, the version's status becomes END
   with the error (as TF Serving reports it), the versions already loaded keep serving, and the load is not
   retried until the folder changes;
4. loaded versions the policy no longer keeps are unloaded, but only once an aspired version is available
   (TF Serving's availability-preserving policy): a request always finds a version.

Swaps are atomic: requests read an immutable {version: Servable} mapping that the loader replaces in one
assignment; a request that holds the old version finishes on it.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time

from tensorflow_serving.config import model_server_config_pb2

from utils.serving.errors import ServingError, invalid, not_found
from utils.serving.servable import SAVED_MODEL_FILE, Servable

log = logging.getLogger("utils.serving")
SETTLE_SECONDS = 1.0


@dataclasses.dataclass
class VersionStatus:
    version: int
    state: str  # ModelVersionStatus.State name: START, LOADING, AVAILABLE, UNLOADING, END
    error_code: str = "OK"
    error_message: str = ""


def fingerprint(folder: str) -> tuple:
    entries = []
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            try:
                st = os.stat(path)
            except OSError:  # removed while we looked: not stable
                return ("vanishing", time.time())
            # ctime too: a copy that keeps the original modification times (shutil.copy2) still changes it
            entries.append((os.path.relpath(path, folder), st.st_size, max(st.st_mtime_ns, st.st_ctime_ns)))
    return tuple(sorted(entries))


def newest_mtime(print_: tuple) -> float:
    return max((m for _, _, m in print_), default=0) / 1e9


def keep_by_policy(policy, ready: list[int]) -> set[int]:
    choice = policy.WhichOneof("policy_choice")
    if choice == "all":
        return set(ready)
    if choice == "specific":
        return set(ready) & set(policy.specific.versions)
    n = policy.latest.num_versions if choice == "latest" and policy.latest.num_versions else 1
    return set(sorted(ready, reverse=True)[:n])


class Model:
    """One model's versions. Requests read ``servables``; only the loader (holding the manager's lock)
    writes."""

    def __init__(self, config: model_server_config_pb2.ModelConfig):
        self.config = config
        self.servables: dict[int, Servable] = {}
        self.statuses: dict[int, VersionStatus] = {}
        self._seen: dict[int, tuple] = {}  # version -> fingerprint at the previous poll
        self._failed: dict[int, tuple] = {}  # version -> fingerprint of the folder that failed to load
        self._listing_error: str | None = None

    @property
    def name(self) -> str:
        return self.config.name

    def scan(self, first: bool) -> tuple[list[int], bool]:
        """-> (ready versions, whether some version is still settling)."""
        base = self.config.base_path
        try:
            names = os.listdir(base)
        except OSError as e:
            if self._listing_error != e.strerror:  # once, not at every poll
                log.warning("model %s: cannot list base path %s (%s); no new versions", self.name, base,
                            e.strerror)
            self._listing_error = e.strerror
            return list(self.servables), False
        self._listing_error = None
        seen, ready, settling = {}, [], False
        for entry in names:
            folder = os.path.join(base, entry)
            if not entry.isdigit() or not os.path.isdir(folder):
                continue
            version = int(entry)
            print_ = fingerprint(folder)
            seen[version] = print_
            has_model = any(path == SAVED_MODEL_FILE for path, _, _ in print_)
            stable = self._seen.get(version) == print_ or (
                first and time.time() - newest_mtime(print_) > SETTLE_SECONDS
            )
            if has_model and stable:
                ready.append(version)
            elif not stable:  # still being written: wait for the next poll
                settling = True
        self._seen = seen
        return ready, settling

    def update(self, first: bool = False) -> bool:
        """One poll: load what the policy wants, unload what it dropped. -> whether a version is settling."""
        ready, settling = self.scan(first)
        aspired = keep_by_policy(self.config.model_version_policy, ready)
        for version in sorted(aspired - set(self.servables), reverse=True):
            if self._failed.get(version) == self._seen.get(version):
                continue  # failed before, folder unchanged
            self._load(version)
        if aspired & set(self.servables) or not aspired:
            for version in sorted(set(self.servables) - aspired):
                self._unload(version)
        return settling

    def _load(self, version: int) -> None:
        path = os.path.join(self.config.base_path, str(version))
        self.statuses[version] = VersionStatus(version, "LOADING")
        start = time.perf_counter()
        try:
            servable = Servable(self.name, version, path)
            servable.warm_up()
        except Exception as e:  # noqa: BLE001 - any failure to load is reported, never fatal
            code = e.code if isinstance(e, ServingError) else "UNKNOWN"
            message = getattr(e, "message", None) or f"{type(e).__name__}: {e}"
            self.statuses[version] = VersionStatus(version, "END", code, message)
            self._failed[version] = self._seen.get(version)
            log.error(
                "model %s: loading version %d from %s failed, still serving versions %s: %s",
                self.name,
                version,
                path,
                sorted(self.servables),
                message,
            )
            return
        self.servables = {**self.servables, version: servable}  # one assignment: the swap
        self.statuses[version] = VersionStatus(version, "AVAILABLE")
        log.info(
            "model %s: version %d loaded in %.1f s from %s",
            self.name,
            version,
            time.perf_counter() - start,
            path,
        )

    def _unload(self, version: int) -> None:
        self.statuses[version] = VersionStatus(version, "UNLOADING")
        self.servables = {v: s for v, s in self.servables.items() if v != version}
        self.statuses[version] = VersionStatus(version, "END")
        log.info("model %s: version %d unloaded", self.name, version)

    def unload_all(self) -> None:
        for version in list(self.servables):
            self._unload(version)

    # ---- requests
    def label_version(self, label: str) -> int:
        if label not in self.config.version_labels:
            raise invalid(f"Unrecognized servable version label: {label}")
        return self.config.version_labels[label]


class ModelManager:
    """Every model of the config; a background thread polls their folders."""

    def __init__(
        self,
        config: model_server_config_pb2.ModelServerConfig,
        poll_wait_seconds: float,
        config_file: str | None = None,
        config_poll_wait_seconds: float = 0.0,
    ):
        self.poll_wait_seconds = poll_wait_seconds
        self.models: dict[str, Model] = {}
        self._lock = threading.Lock()  # one loader at a time (polls and config reloads)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._config_file, self._config_poll = config_file, config_poll_wait_seconds
        self._config_mtime = os.stat(config_file).st_mtime_ns if config_file else None
        self._apply(config)

    def _apply(self, config) -> None:
        old, new = self.models, {}
        for model_config in config.model_config_list.config:
            kept = old.get(model_config.name)
            if kept is not None and kept.config.base_path == model_config.base_path:
                kept.config = model_config
                new[model_config.name] = kept
            else:
                new[model_config.name] = Model(model_config)
        self.models = new
        for name, model in old.items():
            if new.get(name) is not model:
                model.unload_all()

    def poll(self, first: bool = False) -> bool:
        with self._lock:
            return any([model.update(first) for model in self.models.values()])

    def load_initial(self, max_wait_seconds: float = 30.0) -> None:
        """The first poll, repeated while a version folder is still being written (up to a limit)."""
        deadline = time.monotonic() + max_wait_seconds
        settling = self.poll(first=True)
        while settling and time.monotonic() < deadline:
            time.sleep(0.25)
            settling = self.poll()

    def reload_config(self, config) -> None:
        """Serve a new ModelServerConfig (gRPC HandleReloadConfigRequest or a re-read config file)."""
        with self._lock:
            self._apply(config)
            for model in self.models.values():
                model.update(first=True)

    def start(self, on_tick=None) -> None:
        self._thread = threading.Thread(target=self._run, args=(on_tick,), name="model-loader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self, on_tick) -> None:
        from utils.serving.flags import FlagError, read_config_file

        intervals = [s for s in (self.poll_wait_seconds, self._config_poll) if s > 0]
        tick = min(intervals + [0.5])
        next_poll = next_config = time.monotonic()
        while not self._stop.wait(tick):
            now = time.monotonic()
            if on_tick is not None:
                on_tick()
            if self._config_file and self._config_poll > 0 and now >= next_config:
                next_config = now + self._config_poll
                mtime = os.stat(self._config_file).st_mtime_ns if os.path.exists(self._config_file) else None
                if mtime is not None and mtime != self._config_mtime:
                    self._config_mtime = mtime
                    try:
                        self.reload_config(read_config_file(self._config_file))
                        log.info("model config reloaded from %s", self._config_file)
                    except FlagError as e:
                        log.error(
                            "model config %s not reloaded, still serving the old one: %s",
                            self._config_file,
                            e,
                        )
            if self.poll_wait_seconds > 0 and now >= next_poll:
                next_poll = now + self.poll_wait_seconds
                try:
                    self.poll()
                except Exception:  # noqa: BLE001 - the loader must outlive any one bad poll
                    log.exception("poll failed; trying again at the next poll")

    # ---- what requests ask
    def model(self, name: str, what: str) -> Model:
        model = self.models.get(name)
        if model is None:
            raise not_found(f"Servable not found for request: {what}")
        return model

    def servable(self, name: str, version: int | None = None, label: str | None = None) -> Servable:
        if version is not None and label is not None:
            raise invalid(
                f"Both model version ({version}) and model version label ({label}) cannot be supplied."
            )
        if label is not None:
            model = self.models.get(name)
            if model is None:
                raise invalid(f"Unrecognized servable version label: {label}")
            version = model.label_version(label)
        what = f"Latest({name})" if version is None else f"Specific({name}, {version})"
        servables = self.model(name, what).servables
        if version is None:
            if not servables:
                raise not_found(f"Servable not found for request: {what}")
            return servables[max(servables)]
        if version not in servables:
            raise not_found(f"Servable not found for request: {what}")
        return servables[version]

    def status(self, name: str, version: int | None = None, label: str | None = None) -> list[VersionStatus]:
        if version is not None and label is not None:
            raise invalid(
                f"Both model version ({version}) and model version label ({label}) cannot be supplied."
            )
        model = self.models.get(name)
        if model is None or not model.statuses:
            if label is not None:
                raise invalid(f"Unrecognized servable version label: {label}")
            raise not_found(f"Could not find any versions of model {name}")
        if label is not None:
            version = model.label_version(label)
        statuses = dict(model.statuses)
        if version is not None:
            if version not in statuses:
                raise not_found(f"Could not find version {version} of model {name}")
            return [statuses[version]]
        return [statuses[v] for v in sorted(statuses, reverse=True)]
