"""The notebooks run with the network unreachable: prove the guard is active in their
kernels.
"""

import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

PROBE = """
import socket
results = {}
for name, target in [
    ("documentation address", ("192.0.2.1", 80)),
    ("name lookup", ("example.org", 80)),
]:
    try:
        socket.create_connection(target, timeout=2).close()
        results[name] = "connected"
    except OSError as error:
        results[name] = type(error).__name__ + ": " + str(error)
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
socket.create_connection(server.getsockname(), timeout=2).close()
results["loopback"] = "connected"
for name, result in results.items():
    print(f"{name}: {result}")
"""


@pytest.fixture(scope="module")
def probe_output() -> str:
    """What a kernel started like nbval's prints when it tries the network and
    loopback.
    """
    notebook = new_notebook(cells=[new_code_cell(PROBE)])
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    return "".join(
        output["text"]
        for output in notebook.cells[0].outputs
        if output["output_type"] == "stream"
    )


def test_kernels_cannot_connect_to_a_remote_address(probe_output):
    assert (
        "documentation address: NetworkBlockedError: network access is blocked"
        in probe_output
    )


def test_kernels_cannot_look_up_names(probe_output):
    assert "name lookup: NetworkBlockedError: name lookups are blocked" in probe_output


def test_kernels_still_reach_loopback(probe_output):
    assert "loopback: connected" in probe_output
