"""Public checks of the two_layer_net part (registered once the module lands)."""
