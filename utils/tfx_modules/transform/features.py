"""The features Transform's module file makes, and how it names them: the settings of chapter 03's
``preprocessing_fn``, re-exported by ``utils.config`` for everything else.

They live here, beside the module file, because of TFX's cache: Transform's cache key covers the code of
every ``.py`` file in the module file's folder (TFX packages the folder as a wheel named by a hash of those
files), and nothing outside it. A setting in ``utils/config.py`` would be invisible to that key: changing it
would hand back the old transform graph. Changed here, it makes Transform run again.
"""

LABEL_KEY = "species"
# The label's classes in a fixed order: Transform maps species to its index here (Adelie 0, Chinstrap 1,
# Gentoo 2), and later chapters read class names from it. A fixed table, not a vocabulary: a vocabulary is
# ordered by frequency, and that order can change from one delivery to the next.
LABELS = ("Adelie", "Chinstrap", "Gentoo")
NUMERIC_FEATURES = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")
CATEGORICAL_FEATURES = ("island", "sex")

TRANSFORMED_SUFFIX = "_xf"  # every feature Transform outputs ends in it: raw and transformed never mix
MISSING_SUFFIX = "_missing"  # <numeric feature>_missing_xf: 1 where the raw value was absent, else 0
BUCKETIZED_FEATURE = "body_mass_g"  # also output in quantile buckets, as <name>_bucket_xf
BUCKET_SUFFIX = "_bucket"
NUM_BUCKETS = 4
NUM_OOV_BUCKETS = 1  # categories never seen in training (and missing ones) share one extra index
