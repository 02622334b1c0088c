"""Distribution: the OPDS catalog of everything built (opds.py) and a read-only server of build/
for e-readers on the same network (serve.py)."""
