"""The model server's command line, e.g.

    python -m utils.serving --model_name=penguins --model_base_path=/abs/serving/penguins --rest_api_port=8501

Flags are read before TensorFlow is imported: a wrong command line fails at once.
"""

import sys

from utils.serving.flags import FlagError, parse


def run(argv=None) -> int:
    try:
        options = parse(argv)
    except FlagError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    from utils.serving.server import main

    return main(options)


if __name__ == "__main__":
    sys.exit(run())
