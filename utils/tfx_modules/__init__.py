"""Module files that TFX components load by path (``module_file=``): Transform's ``preprocessing_fn``.

TFX packages every ``.py`` file of a module file's folder into a wheel whose version is a hash of their
code, and that hash is part of the component's cache key. Keep this folder small, and remember that editing
any file in it makes every component that uses a module file from it run again.
"""
