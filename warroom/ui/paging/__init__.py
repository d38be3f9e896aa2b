"""Paging on the desktop: the tray, my pages, acknowledgements kept while offline."""
