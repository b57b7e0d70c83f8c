"""Pure domain rules: plain dataclasses, enums and functions. No I/O, no Qt."""
