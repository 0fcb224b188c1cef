"""Module files that TFX components load by path (``module_file=``), each in a folder of its own.

TFX packages every ``.py`` file of a module file's folder into a wheel whose version is a hash of their
code, and that hash is part of the component's cache key. So each module file gets its own folder
(``transform/penguin_transform.py`` for Transform): editing one component's module file then re-runs that
component only. Code a module file imports from elsewhere (``utils.config``) is not part of the hash.
"""
