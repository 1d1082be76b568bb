"""Hand-designed image features: HSV colour histogram, HOG, bag of visual words.

One module per feature, and one to compute them for a whole dataset:

* :mod:`.color`: ``rgb_to_gray`` and the hue histogram ``color_histogram_hsv``
  (students write it);
* :mod:`.hog`: ``image_gradients`` and ``orientation_histogram`` (students
  write them) and ``hog_feature`` built on them;
* :mod:`.bow`: patches, a k-means codebook and bag-of-words histograms
  (given: ``bow_histogram`` works on a whole array of images at once);
* :mod:`.extract`: ``extract_features`` runs every feature function on every
  image -- the functions it is given, nothing else.

Shapes used throughout: ``N`` images of ``H x W`` pixels with ``C`` channels,
``O`` orientation bins, ``K`` visual words, ``P = patch_size**2 * C`` numbers
per patch, ``F`` features per image. The HOG convention is in :mod:`.hog`.
"""

from .bow import (bow_feature, bow_histogram, build_codebook, dense_patches, nearest_word,
                  normalize_patches, sample_patches)
from .color import GRAY_WEIGHTS, color_histogram_hsv, rgb_to_gray
from .extract import extract_features
from .hog import hog_feature, image_gradients, orientation_histogram

__all__ = [
    "GRAY_WEIGHTS", "rgb_to_gray", "color_histogram_hsv",
    "image_gradients", "orientation_histogram", "hog_feature",
    "normalize_patches", "dense_patches", "sample_patches", "build_codebook",
    "nearest_word", "bow_histogram", "bow_feature", "extract_features",
]
