"""Cut a Python process off the network, except loopback: imported at start-up via
PYTHONPATH.

The test suite puts this folder on PYTHONPATH before nbval starts the notebooks'
kernels, so a notebook that tries to reach the network fails loudly instead of depending
on it. Jupyter's own kernel channels use ZeroMQ on 127.0.0.1 and are not affected.
"""

import ipaddress
import socket

_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


class NetworkBlockedError(OSError):
    """Raised when code run under the course's tests tries to leave the machine."""


def _is_local(address) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _guarded_connect(self, address):
    if not _is_local(address):
        raise NetworkBlockedError(
            f"network access is blocked while the course is tested: {address!r}"
        )
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    if not _is_local(address):
        raise NetworkBlockedError(
            f"network access is blocked while the course is tested: {address!r}"
        )
    return _connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    # Numeric addresses pass (connect() decides); looking up a name would ask a DNS
    # server.
    if host not in (None, b"", "", "localhost"):
        try:
            ipaddress.ip_address(host.decode() if isinstance(host, bytes) else host)
        except ValueError:
            raise NetworkBlockedError(
                f"name lookups are blocked while the course is tested: {host!r}"
            ) from None
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex
socket.getaddrinfo = _guarded_getaddrinfo
