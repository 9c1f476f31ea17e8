"""Case linking (pure: no Django): series detection and the network of linked cases."""
