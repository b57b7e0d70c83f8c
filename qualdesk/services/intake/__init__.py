"""Lead intake: CSV exports of CRMs and forms into leads, hand raises and past activity.

``import_leads`` and ``import_activity`` are plain functions with a progress callback and
a cancel flag, so the CLI, the GUI worker and tests call them the same way.
"""
