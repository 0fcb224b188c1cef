"""Transform's module file, alone in its folder: TFX hashes every .py file here into Transform's cache key."""
