"""Trainer's module file (penguin_trainer.py) and the settings it reads (model_settings.py), alone together in
their folder: TFX hashes every .py file here, and nothing outside it, into the Trainer's cache key."""
