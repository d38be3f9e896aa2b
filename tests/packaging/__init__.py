"""The installable app: wheel, icons, desktop entry, autostart, bundle scripts."""
