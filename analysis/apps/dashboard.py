"""The dashboard's server: Voilà, closed (``python -m analysis.apps.dashboard NOTEBOOK [options]``,
started by ``briefings dashboard`` / ``make dashboard``).

Stand-alone Voilà sets ``allow_remote_access=True`` and serves without a token. This subclass:

- checks the ``Host`` header of *every* request (pages, ``/api``, static files, websockets)
  before any handler runs: only the loopback names, or the address given with ``--ip``, so a web
  page cannot reach the dashboard through DNS rebinding;
- requires a token (random unless ``PSW_DASHBOARD_TOKEN`` gives one), printed in the URL it
  shows, as ``jupyter lab`` does;
- culls kernels idle for :data:`CULL_IDLE` seconds and caps the kernels running at once at
  ``--max-kernels`` (default :data:`MAX_KERNELS`); a page refused by the cap says why.

Nothing here is imported by the package's other modules; tests start it as users do.
"""
from __future__ import annotations

import sys

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from voila.app import Voila

#: Kernels running at once, the pre-started one included (each takes about 200 MB).
MAX_KERNELS = 6
#: Seconds a kernel with no page connected may stay idle before it is shut down.
CULL_IDLE = 300
CULL_INTERVAL = 30
LOOPBACK = ("127.0.0.1", "localhost", "::1")

_limits = {"max_kernels": MAX_KERNELS}


def host_name(host_header: str) -> str:
    """The host of a ``Host`` header, without port or IPv6 brackets, lower case."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class RefusedHost(web.RequestHandler):
    """The answer to a request whose Host header names another machine."""

    def prepare(self):
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("403: this dashboard answers only requests addressed to "
                    f"{', '.join(self.application.settings['psw_allowed_hosts'])}; "
                    "the Host header named another one\n")


class ClosedApplication(web.Application):
    """A tornado application that refuses, before routing, every request whose Host header is
    not one of ``settings['psw_allowed_hosts']``."""

    def find_handler(self, request, **kwargs):
        if host_name(request.host or "") not in self.settings["psw_allowed_hosts"]:
            return self.get_handler_delegate(request, RefusedHost)
        return super().find_handler(request, **kwargs)


class CappedKernelManager(AsyncMappingKernelManager):
    """jupyter_server's kernel manager, refusing a kernel beyond the cap (the page says why)."""

    _starting = 0  # kernels asked for and not yet listed (the pool fills in the background)

    async def start_kernel(self, *args, **kwargs):
        cap = _limits["max_kernels"]
        if kwargs.get("kernel_id") is None and len(self.list_kernel_ids()) + self._starting >= cap:
            raise web.HTTPError(
                503, "The dashboard is busy: %d pages already have their own kernel, the most "
                     "it runs at once (--max-kernels). Close a dashboard tab or wait a few "
                     "minutes (idle kernels stop after %d s), then reload this page.",
                cap, CULL_IDLE)
        self._starting += 1
        try:
            return await super().start_kernel(*args, **kwargs)
        finally:
            self._starting -= 1


class ClosedVoila(Voila):
    """Voilà with the Host check on every route (see the module)."""

    allowed_hosts: tuple = LOOPBACK

    def start(self):  # Voila.start with ClosedApplication instead of tornado's
        import tempfile

        self.connection_dir = tempfile.mkdtemp(prefix="voila_", dir=self.connection_dir_root)
        settings = self.init_settings()
        settings["allow_remote_access"] = False
        settings["psw_allowed_hosts"] = self.allowed_hosts
        settings["local_hostnames"] = list(self.allowed_hosts)
        self.app = ClosedApplication(**settings)
        self.app.settings.update(self.tornado_settings)
        self.app.settings["allow_remote_access"] = False
        self.app.add_handlers(".*$", self.init_handlers())
        self.listen()


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.apps.dashboard [--psw-max-kernels N] [--psw-host H]... VOILA-ARGS``."""
    import os
    import signal

    parent = os.environ.get("PSW_DIE_WITH_PARENT")
    if parent and parent.isdigit():  # tests: the server stops (and stops its kernels) with them
        from ..builder.forkkernel import die_with_parent

        die_with_parent(signal.SIGTERM, int(parent))
    argv = list(sys.argv[1:] if argv is None else argv)
    hosts = list(LOOPBACK)
    rest = []
    while argv:
        arg = argv.pop(0)
        if arg.startswith("--psw-max-kernels="):
            _limits["max_kernels"] = int(arg.split("=", 1)[1])
        elif arg.startswith("--psw-host="):
            hosts.append(host_name(arg.split("=", 1)[1]))
        else:
            rest.append(arg)
    ClosedVoila.allowed_hosts = tuple(dict.fromkeys(hosts))
    ClosedVoila.launch_instance(argv=rest)
    return 0


if __name__ == "__main__":
    # run the imported module's main: traitlets imports analysis.apps.dashboard by name for the
    # kernel manager, and its limits must be the ones set here
    from analysis.apps.dashboard import main as _main

    sys.exit(_main())
