# coursekit: instructor-only
"""Fast, memory-bounded twins of what students write, for instructors and benchmarks.

* :mod:`.knn`: chunked exact k-nearest-neighbour search on full CIFAR-10
  (``FastKNearestNeighbor``);
* :mod:`.features`: whole-array HOG and hue histograms
  (``hog_features_batch``, ``color_histogram_hsv_batch``).

They compute what the students' functions compute, so the release leaves
this package out (the marker above) and nothing in the student kit imports
it: the student kit only ever runs the student's own functions.
"""
