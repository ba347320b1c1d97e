"""Town kiosk: the device application, by role.

- ``kiosk.cli``: the ``kiosk`` command a technician (or a systemd unit) runs; one module
  per command group.
- ``kiosk.app``: the ``kiosk player`` process (Kivy, Type=notify, watchdog); its
  renderers also draw ``kiosk preview``'s sheets (``kiosk.app.preview``, a process of its own).
- ``kiosk.touch``: the touch kiosk screens, shown inside the player process.
- ``kiosk.device``: what a technician touches on a device (display power, hotplug, USB
  import, provision, doctor, status, systemd notify, the control sockets), used by the
  player, the sync daemon and the CLI.
- ``kiosk.config``: the device config file, read by every device process.

The town's side (publisher, content sources, reference server, hub) is the ``hub`` package,
never run on a device; the CLI imports it for ``kiosk publish``, ``kiosk sources``,
``kiosk serve``, ``kiosk demo``, ``kiosk hub`` and ``kiosk preview``.
"""

__version__ = "0.1.0"
