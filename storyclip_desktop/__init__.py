"""StoryClip Desktop: follow StoryClip publish batches from the system tray."""

__version__ = "0.1.0"
