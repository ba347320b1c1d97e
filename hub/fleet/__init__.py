"""The fleet, town-side: staff accounts and roles, devices and their tokens, what devices
report, and what the fleet pages show. Run inside the hub's web processes (gunicorn
workers) and by the ``kiosk hub`` commands; plain functions over a SQLAlchemy session, no
Flask, so the editor and the CLI use them the same way.
"""
