"""What a technician touches on a device: display power and its schedule, hotplug, USB
import, provision, doctor, status, play reports, systemd notify, and the control and
sync-trigger sockets.

No Kivy here. The player process runs the display schedule, hotplug watcher, USB import,
notify and control socket; the sync daemon (``kiosk sync``) runs the sync-trigger socket;
the ``kiosk`` command runs provision, doctor, status, reports and the socket clients.
"""
