"""Pure access decisions: no I/O, no Strawberry, no imports from the rest of the gateway."""
