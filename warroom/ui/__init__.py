"""The desktop app: windows, views, Qt item models, and the bridges to the layers below."""
