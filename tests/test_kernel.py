import os
import sys

import pytest

from utils import kernel, paths


def test_lock_pins_the_tfx_stack():
    pins = kernel.locked_versions()
    assert pins["tfx"] == "1.16.0"
    assert pins["tensorflow"] == "2.16.2"
    assert pins["tensorflow-data-validation"] == "1.16.1"
    assert pins["tensorflow-model-analysis"] == "0.47.1"
    assert "dill" in pins and "tf-keras" in pins


def test_the_test_interpreter_is_the_course_environment():
    assert kernel.problems() == []


def test_a_version_mismatch_is_reported(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text(paths.LOCK_FILE.read_text().replace("tfx==1.16.0", "tfx==9.9.9"))
    found = kernel.problems(lock_file=lock)
    assert found == ["tfx 1.16.0 is installed, the lock pins 9.9.9"]


def test_check_names_the_kernel_to_pick(monkeypatch):
    monkeypatch.setattr(kernel, "problems", lambda: ["Python is 3.12.0, the course needs 3.10"])
    with pytest.raises(kernel.WrongKernelError) as caught:
        kernel.check()
    message = str(caught.value)
    assert kernel.KERNEL_DISPLAY_NAME in message and "Change Kernel" in message
    assert "make setup" in message and "3.12.0" in message


def test_the_registered_kernel_runs_this_environment_with_legacy_keras():
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(kernel.KERNEL_NAME)
    assert spec.display_name == kernel.KERNEL_DISPLAY_NAME
    assert spec.env["TF_USE_LEGACY_KERAS"] == "1"
    assert os.path.abspath(spec.argv[0]) == os.path.abspath(sys.executable)


def test_set_up_check_imports_the_stack_past_both_traps(capsys):
    assert kernel.main(["--check"]) == 0
    assert "tfx-bsl import OK" in capsys.readouterr().out
