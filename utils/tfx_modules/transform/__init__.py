"""Transform's module file (penguin_transform.py) and the settings it reads (features.py), alone together in
their folder: TFX hashes every .py file here, and nothing outside it, into Transform's cache key."""
