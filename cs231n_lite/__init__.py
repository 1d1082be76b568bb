"""cs231n-lite: image classification from first principles (the package students edit)."""

__version__ = "0.1.0"
