"""Classifiers: k-nearest neighbours, linear (SVM, softmax) and a two-layer net."""
