"""mockserver's own control plane under /_mock/."""
