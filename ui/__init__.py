"""QualDesk desktop application (PySide6). Calls ``qualdesk`` use cases off the GUI thread."""
