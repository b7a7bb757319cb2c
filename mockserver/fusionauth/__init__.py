"""The FusionAuth half of mockserver: routes (HTTP only), models (behaviour on the store), errors."""
