"""What a technician touches on a device: display power and its schedule, hotplug, USB
import, provision, doctor, status, play reports, systemd notify, and the control and
sync-trigger sockets; with what every device process shares below them: opening the
content cache (``cache``) and Kivy's environment (``kivy_env``).

No Kivy imported here (``kivy_env`` only sets what Kivy reads when the process imports it
next). The player process runs the display schedule, hotplug watcher, USB import, notify
and control socket; the sync daemon (``kiosk sync``) runs the sync-trigger socket; the
``kiosk`` command runs provision, doctor, status, reports and the socket clients; the
player, the sync daemon and the touch test harness open the cache with ``cache``; the
player and the harness configure Kivy with ``kivy_env``.
"""
