"""What runs in the background without a screen: the feed listener, schedulers, receivers."""
