"""The capstone notebook (13-capstone) on files it was not written for.

Each run executes the notebook with its ``parameters`` cell kept and its values replaced, as a learner
(or papermill) would, then compares what the notebook printed with answers computed here, independently
of the package: from tshark's ground truth for real captures, from pandas for the real FOCUS sample, and
by hand for manifests written here. nbval covers the notebook as shipped (its default parameters).
"""

from __future__ import annotations

import re
import textwrap
from html import unescape
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "13-capstone.ipynb"
SHARED = Path(__file__).resolve().parents[2] / "shared"
CAPTURES = SHARED / "real-captures"
FOCUS_SAMPLE = SHARED / "real-billing" / "focus_sample.csv"
PARAMETERS = ["CAPTURE", "INSIDE", "TIME_BIN", "READ_DNS", "ALERT_MIN_BYTES", "TIMEZONE", "BILL", "BILL_FORMAT",
              "MANIFESTS", "PORT", "PROTOCOL", "TOP"]


def load() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


def parameters_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    tagged = [cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1, f"expected one cell tagged 'parameters', found {len(tagged)}"
    return tagged[0]


def set_parameters(notebook: nbformat.NotebookNode, **values) -> None:
    """Replace the values in the parameters cell (one line ``NAME = value`` each), keeping the cell."""
    cell = parameters_cell(notebook)
    source = cell.source
    for name, value in values.items():
        pattern = re.compile(rf"^{name} = .*$", re.MULTILINE)
        assert len(pattern.findall(source)) == 1, f"{name} is not assigned exactly once in the parameters cell"
        source = pattern.sub(lambda _: f"{name} = {value!r}", source)
    cell.source = source


def html_tables_as_text(html: str) -> str:
    """The tables of an HTML output (what ``course_table`` shows) as text: one line per row, its
    non-empty cells separated by two spaces, as a reader sees them (``13,919``, ``30.8%``)."""
    lines = []
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        cells = [unescape(re.sub(r"<.*?>", "", cell)).strip()
                 for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)]
        lines.append("  ".join(cell for cell in cells if cell))
    return "\n".join(lines)


def run(**values) -> list[str]:
    """Execute the notebook with these parameter values; return each code cell's text output, in order
    (tables shown as HTML are included as text, see :func:`html_tables_as_text`)."""
    notebook = load()
    set_parameters(notebook, **values)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    texts = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        parts = []
        for output in cell.outputs:
            if output.output_type == "stream":
                parts.append(output.text)
            elif "<table" in output.get("data", {}).get("text/html", ""):
                parts.append(html_tables_as_text(output["data"]["text/html"]))
            elif "text/plain" in output.get("data", {}):
                parts.append(output["data"]["text/plain"])
        texts.append("\n".join(parts))
    return texts


def cell_with(texts: list[str], marker: str) -> str:
    found = [text for text in texts if marker in text]
    assert found, f"no cell printed {marker!r}"
    return found[0]


def printed(texts: list[str], line: str) -> bool:
    """Did some cell print exactly this line?"""
    return any(line == printed_line.strip() for text in texts for printed_line in text.splitlines())


def number(text: str) -> int:
    return int(text.replace(",", ""))


# --------------------------------------------------------------------------------------------------
# The parameters cell itself
# --------------------------------------------------------------------------------------------------


def test_one_parameters_cell_right_after_the_imports_each_value_documented():
    notebook = load()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert "import" in code[0].source and "use_course_style()" in code[0].source
    assert code[1] is parameters_cell(notebook)
    lines = code[1].source.splitlines()
    assigned = [line.split(" = ")[0] for line in lines if re.match(r"^[A-Z_]+ = ", line)]
    assert assigned == PARAMETERS
    for i, line in enumerate(lines):
        if re.match(r"^[A-Z_]+ = ", line):
            assert lines[i - 1].startswith("#"), f"{line!r} has no comment above it"
    assert not any(re.match(r"^[A-Z_]+ = ", line) for cell in code[2:] for line in cell.source.splitlines()), \
        "a parameter is set outside the parameters cell"


def test_set_parameters_refuses_a_name_the_cell_does_not_have():
    with pytest.raises(AssertionError, match="NO_SUCH"):
        set_parameters(load(), NO_SUCH=1)


# --------------------------------------------------------------------------------------------------
# (a) Real captures, against tshark's ground truth
# --------------------------------------------------------------------------------------------------


def tshark_truth(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not CAPTURES.is_dir():
        pytest.skip(f"../shared/real-captures not present: {CAPTURES} (real captures live beside the repository)")
    packets = pd.read_csv(CAPTURES / f"{name}.packets.tsv", sep="\t", dtype=str, keep_default_na=False)
    directed = pd.read_csv(CAPTURES / f"{name}.directed_flows_exact.tsv", sep="\t", keep_default_na=False)
    return packets, directed


def crossing(directed: pd.DataFrame, inside: set[str]) -> dict[str, tuple[int, int]]:
    """Packets and bytes on the wire leaving and entering ``inside`` (a set of addresses), from tshark's sums."""
    src_in, dst_in = directed["src"].isin(inside), directed["dst"].isin(inside)
    egress, ingress = directed[src_in & ~dst_in], directed[~src_in & dst_in]
    return {"egress": (int(egress["frames"].sum()), int(egress["sum_frame_len"].sum())),
            "ingress": (int(ingress["frames"].sum()), int(ingress["sum_frame_len"].sum()))}


def summary_row(texts: list[str], name: str) -> tuple[int, int]:
    table = cell_with(texts, "share of bytes")
    match = re.search(rf"^{name}\s+([\d,]+)\s+([\d,]+)\s", table, flags=re.MULTILINE)
    assert match, f"no {name} row in:\n{table}"
    return number(match.group(1)), number(match.group(2))


@pytest.mark.shared
def test_http_over_ipv4_and_ipv6_seen_from_the_client():
    packets, directed = tshark_truth("http_ip4and6.pcapng")
    # The client is whoever sends to the web server's port 80, over IPv4 and over IPv6.
    to_web = packets[packets["tcp.dstport"] == "80"]
    client = sorted((set(to_web["ip.src"]) | set(to_web["ipv6.src"])) - {""})
    assert len(client) == 2
    truth = crossing(directed, set(client))

    texts = run(CAPTURE=str(CAPTURES / "http_ip4and6.pcapng"), INSIDE=client, BILL=None, MANIFESTS=None)

    assert summary_row(texts, "egress") == truth["egress"] == (12, 1089)
    assert summary_row(texts, "ingress") == truth["ingress"]
    assert summary_row(texts, "internal") == summary_row(texts, "external") == (0, 0)
    assert f"{len(packets)} packets" in cell_with(texts, "bytes on the wire")
    # 5 seconds in 10-minute bins is under one bin: 1 s would give 5 bins (< 10), 100 ms gives 50.
    assert "using 100ms" in cell_with(texts, "TIME_BIN 10min gives")
    # Two TCP conversations (one per IP version), both opened by the client, both bringing more in.
    conversations = {tuple(sorted([(r["ip.src"] + r["ipv6.src"], r["tcp.srcport"]),
                                   (r["ip.dst"] + r["ipv6.dst"], r["tcp.dstport"])])) for _, r in packets.iterrows()}
    flows_text = cell_with(texts, "flows (")
    assert len(conversations) == 2 and "2 flows (" in flows_text
    assert re.search(r"^bytes_direction\s+ingress\s+all\n.*\noutbound\s+2\s+2$", flows_text, flags=re.MULTILINE), flows_text
    # The largest outbound connection, checked packet by packet by the exercise: the IPv6 one.
    v6 = directed[directed["family"] == "ipv6"]
    out6 = v6[v6["src"].isin(client)].iloc[0]
    in6 = v6[v6["dst"].isin(client)].iloc[0]
    assert (f"by the packets: {out6['sum_frame_len']:,} bytes out in {out6['frames']} packets, "
            f"{in6['sum_frame_len']:,} bytes in in {in6['frames']} packets: mostly ingress") in cell_with(texts, "by the packets")
    assert "The capture holds no DNS answers" in cell_with(texts, "no DNS answers")
    assert "nothing to score" in cell_with(texts, "nothing to score")
    assert printed(texts, "Part 2 skipped: BILL is None.") and printed(texts, "Part 3 skipped: MANIFESTS is None.")


REAL_CAPTURES = ["802.1ad_QinQ.pcap", "dns_query_response.pcapng", "http_google.pcapng", "ldp-common-session.pcap",
                 "many_interfaces-1.pcapng", "nanosecs_big_endian.pcap", "quic_handshake_truncated.pcap",
                 "raw_ip.pcap", "tcp-handshake-nano.pcap"]


@pytest.mark.shared
@pytest.mark.parametrize("name", REAL_CAPTURES)
def test_every_real_capture_runs_and_counts_what_crosses(name):
    """Each real capture, the inside being its busiest sender by tshark's count (outermost IP header), or the
    default inside when the capture has no IP at all."""
    _, directed = tshark_truth(name)
    sent = directed.groupby("src")["frames"].sum().sort_index()
    inside = [sent.idxmax()] if len(sent) else ["192.168.10.0/24"]
    truth = crossing(directed, set(inside))

    texts = run(CAPTURE=str(CAPTURES / name), INSIDE=inside, BILL=None, MANIFESTS=None)

    assert summary_row(texts, "egress") == truth["egress"]
    assert summary_row(texts, "ingress") == truth["ingress"]
    if truth["egress"][0] + truth["ingress"][0] == 0:
        assert "Nothing crosses the boundary" in cell_with(texts, "share of bytes")
        assert "nothing to plot" in cell_with(texts, "nothing to plot")


# --------------------------------------------------------------------------------------------------
# (b) The real FOCUS sample, against pandas
# --------------------------------------------------------------------------------------------------

# Read by eye from the sample's 1,000 descriptions: a data transfer line says "data transfer", names a NAT
# gateway, quotes a usage type ending in "-Bytes", or (two lines) leaves the usage type blank ("per GB for  in").
TRANSFER_WORDS = re.compile(r"data transfer|nat gateway|-bytes\b|per gb for  in ", re.IGNORECASE)


@pytest.mark.shared
def test_the_real_focus_sample_one_month_three_providers():
    if not FOCUS_SAMPLE.exists():
        pytest.skip(f"../shared/real-billing not present: {FOCUS_SAMPLE} (the real FOCUS sample lives beside the repository)")
    raw = pd.read_csv(FOCUS_SAMPLE, dtype=str, keep_default_na=False)
    billed = pd.to_numeric(raw["BilledCost"]).sum()
    transfer_lines = int(raw["ChargeDescription"].str.contains(TRANSFER_WORDS).sum())
    months = sorted(set(raw["ChargePeriodStart"].str[:7]))

    texts = run(CAPTURE=None, BILL=str(FOCUS_SAMPLE), MANIFESTS=None)

    loaded = cell_with(texts, "total billed cost")
    assert f"FOCUS export, {len(raw):,} lines, one month, {months[0]}" in loaded
    total = re.search(r"total billed cost: ([\d,]+\.\d\d) USD", loaded)
    assert total and abs(float(total.group(1).replace(",", "")) - billed) <= 0.005
    for provider, lines in raw["ProviderName"].value_counts().items():
        assert f"{provider} {lines:,}" in loaded
    classified = re.search(r"([\d,]+) of ([\d,]+) lines are data transfer", cell_with(texts, "lines are data transfer"))
    assert (number(classified.group(1)), number(classified.group(2))) == (transfer_lines, len(raw)) == (570, 1000)
    assert printed(texts, f"One billing month ({months[0]}): no trend to plot.")
    assert printed(texts, "Part 1 skipped: CAPTURE is None.") and printed(texts, "Part 3 skipped: MANIFESTS is None.")
    # The exercise reads the CSV with pandas too, and must agree with the reader.
    assert f"pandas: {len(raw):,} lines, BilledCost adds up to {billed:,.2f}" in cell_with(texts, "pandas:")


# --------------------------------------------------------------------------------------------------
# (c) Manifests written here: one namespace, two Deployments, no policy, no Ingress
# --------------------------------------------------------------------------------------------------

TWO_APPS = textwrap.dedent("""
    apiVersion: v1
    kind: Namespace
    metadata: {name: demo}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: demo}
    spec:
      replicas: 3
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api, namespace: demo}
    spec:
      selector: {matchLabels: {app: api}}
      template:
        metadata: {labels: {app: api}}
        spec: {containers: [{name: api, image: api, ports: [{containerPort: 8080}]}]}
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: settings, namespace: demo}
    data: {colour: blue}
    """)


def test_manifests_without_policies_or_ingress_everything_reachable(tmp_path):
    folder = tmp_path / "k8s"
    folder.mkdir()
    (folder / "apps.yaml").write_text(TWO_APPS)

    texts = run(CAPTURE=None, BILL=None, MANIFESTS=str(folder), PORT=8080)

    loaded = cell_with(texts, "set aside")
    assert "read 3 objects (Deployment: 2, Namespace: 1) from 1 source; set aside 1 (ConfigMap: 1)" in loaded
    assert "pods: 2;" in loaded          # one representative pod per Deployment, whatever its replicas
    # Two pods, no policy: each may open each (itself included), 2 x 2 = 4 ordered pairs.
    reach = cell_with(texts, "ordered pod pairs")
    assert "4 of 4 ordered pod pairs may connect on 8080/TCP" in reach
    assert "open to every pod: demo/api, demo/web" in reach
    assert "No Ingress objects" in cell_with(texts, "No Ingress objects")
    assert "Services of type LoadBalancer or NodePort: none" in cell_with(texts, "LoadBalancer or NodePort")
    isolation = cell_with(texts, "No NetworkPolicy")
    assert re.search(r"^neither way\s+2$", isolation, flags=re.MULTILINE), isolation
    # The exercise fences the only namespace with pods: of the four pairs, web -> api and api -> web
    # close; web -> web and api -> api stay open, since "a pod cannot block access to itself"
    # (NetworkPolicy concept page, read 2026-12-02).
    assert "default deny for ingress in demo: 2 pairs close" in cell_with(texts, "default deny for ingress")
    assert printed(texts, "Part 1 skipped: CAPTURE is None.") and printed(texts, "Part 2 skipped: BILL is None.")


def test_the_shipped_cur_read_by_forcing_its_reader():
    """BILL_FORMAT = "cur" on the course's CUR: totals from pandas on the raw CSV, months from its dates."""
    cur = Path(__file__).resolve().parent.parent / "data" / "billing" / "cur-2025.csv"
    raw = pd.read_csv(cur, dtype=str, keep_default_na=False)
    billed = pd.to_numeric(raw["line_item_unblended_cost"]).sum()
    months = sorted(set(raw["line_item_usage_start_date"].str[:7]))

    texts = run(CAPTURE=None, BILL="../data/billing/cur-2025.csv", BILL_FORMAT="cur", MANIFESTS=None)

    loaded = cell_with(texts, "total billed cost")
    assert f"CUR export, {len(raw):,} lines, {len(months)} months, {months[0]} to {months[-1]}" in loaded
    assert f"total billed cost: {billed:,.2f} in the bill's currency" in loaded   # a CUR 2.0 without currency column
    assert f"pandas: {len(raw):,} lines, line_item_unblended_cost adds up to {billed:,.2f}" in cell_with(texts, "pandas:")


# --------------------------------------------------------------------------------------------------
# Mistakes in the parameters fail early, with the parameter's name or the file and what was expected
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("values, message", [
    ({"CAPTURE": "../data/captures/no-such.pcap"}, "1 capture: ../data/captures/no-such.pcap does not exist"),
    ({"CAPTURE": None, "BILL_FORMAT": "csv"}, "BILL_FORMAT: 'csv' is not one of 'auto', 'cur', 'focus'"),
    ({"INSIDE": ["192.168.10.1/24"]}, "inside: '192.168.10.1/24' is not a network address or CIDR"),
    ({"CAPTURE": None, "BILL_FORMAT": "cur"}, "line 1: missing required CUR column(s)"),
    ({"CAPTURE": "../data/billing/focus-2025.csv"}, "not a pcap or pcapng file"),
])
def test_a_wrong_parameter_stops_the_notebook_with_a_clear_message(values, message):
    with pytest.raises(CellExecutionError) as failure:
        run(**values)
    assert message in str(failure.value)
