"""The capstone notebook (13-capstone) on files it was not written for.

Each run executes the notebook with its ``parameters`` cell kept and its values replaced, as a learner
(or papermill) would, then compares what the notebook printed with answers computed here, independently
of the package: from tshark's ground truth for real captures, from pandas for the real FOCUS sample, by
hand for manifests written here (Kubernetes objects, Gateway API objects read by the Gateway API's own
rules), and by hand for flow logs written here, priced at AWS's published us-east-1 prices. nbval covers
the notebook as shipped (its default parameters).
"""

from __future__ import annotations

import ast
import gzip
import re
import struct
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
              "MANIFESTS", "PORT", "PROTOCOL", "GATEWAY", "REQUESTS", "FLOW_LOGS", "FLOW_LOG_FORMAT", "FLOW_LOG_DAYS",
              "CLUSTER_STATE", "NAT_GATEWAYS", "OTHER_REGIONS", "NODE_PORTS", "AWS_REGION", "TOP"]
# The parts a test is not about, switched off: each run then only reads what the test is about.
ONLY = {"CAPTURE": None, "BILL": None, "MANIFESTS": None, "GATEWAY": None, "FLOW_LOGS": None}


def load() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


def parameters_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    tagged = [cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1, f"expected one cell tagged 'parameters', found {len(tagged)}"
    return tagged[0]


def set_parameters(notebook: nbformat.NotebookNode, **values) -> None:
    """Replace the values in the parameters cell (``NAME = value``, over one line or several), keeping the
    cell and its comments."""
    cell = parameters_cell(notebook)
    lines = cell.source.splitlines()
    spans: dict[str, list[tuple[int, int]]] = {}
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            spans.setdefault(node.targets[0].id, []).append((node.lineno, node.end_lineno))
    for name in values:
        assert len(spans.get(name, [])) == 1, f"{name} is not assigned exactly once in the parameters cell"
    for name, value in sorted(values.items(), key=lambda item: -spans[item[0]][0][0]):
        (first, last), = spans[name]
        lines[first - 1:last] = [f"{name} = {value!r}"]
    cell.source = "\n".join(lines)


def html_tables_as_text(html: str) -> str:
    """The tables of an HTML output (what ``course_table`` shows) as text: one line per row, its
    non-empty cells separated by two spaces, as a reader sees them (``13,919``, ``30.8%``)."""
    lines = []
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        cells = [unescape(re.sub(r"<.*?>", "", cell)).strip()
                 for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)]
        lines.append("  ".join(cell for cell in cells if cell))
    return "\n".join(lines)


def run_notebook(**values) -> nbformat.NotebookNode:
    """Execute the notebook with these parameter values; return it with its outputs."""
    notebook = load()
    set_parameters(notebook, **values)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return notebook


def run(**values) -> list[str]:
    """Execute the notebook with these parameter values; return each code cell's text output, in order
    (tables shown as HTML are included as text, see :func:`html_tables_as_text`)."""
    return texts_of(run_notebook(**values))


def run_only(**values) -> list[str]:
    """Execute the notebook with only the parts these values name (the others set to None)."""
    return run(**{**ONLY, **values})


def texts_of(notebook: nbformat.NotebookNode) -> list[str]:
    """Each code cell's text output, in order (tables as text)."""
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

    texts = run_only(CAPTURE=str(CAPTURES / "http_ip4and6.pcapng"), INSIDE=client)

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

    texts = run_only(CAPTURE=str(CAPTURES / name), INSIDE=inside)

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

    texts = run_only(BILL=str(FOCUS_SAMPLE))

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

    texts = run_only(MANIFESTS=str(folder), PORT=8080)

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
    assert printed(texts, "Part 4 skipped: GATEWAY is None.") and printed(texts, "Part 5 skipped: FLOW_LOGS is None.")


def test_the_shipped_cur_read_by_forcing_its_reader():
    """BILL_FORMAT = "cur" on the course's CUR: totals from pandas on the raw CSV, months from its dates."""
    cur = Path(__file__).resolve().parent.parent / "data" / "billing" / "cur-2025.csv"
    raw = pd.read_csv(cur, dtype=str, keep_default_na=False)
    billed = pd.to_numeric(raw["line_item_unblended_cost"]).sum()
    months = sorted(set(raw["line_item_usage_start_date"].str[:7]))

    texts = run_only(BILL="../data/billing/cur-2025.csv", BILL_FORMAT="cur")

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
    ({"CLUSTER_STATE": "../data/k8s/no-such"}, "5 cluster state: ../data/k8s/no-such does not exist"),
    ({"REQUESTS": ["ftp://shop.example.com/"]},
     "REQUESTS: 'ftp://shop.example.com/' is not [METHOD] http(s)://host[:port]/path"),
    ({"REQUESTS": ["https://shop.example.com:99999/"]}, "REQUESTS: 'https://shop.example.com:99999/': Port out of range"),
    ({**ONLY, "FLOW_LOGS": "../data/flowlogs", "FLOW_LOG_DAYS": 0}, "FLOW_LOG_DAYS: 0 is not a positive number of days"),
])
def test_a_wrong_parameter_stops_the_notebook_with_a_clear_message(values, message):
    with pytest.raises(CellExecutionError) as failure:
        run(**values)
    assert message in str(failure.value)


# --------------------------------------------------------------------------------------------------
# (d) Gateway API objects written here. Expected answers by the Gateway API's own rules
# (apis/v1/httproute_types.go and gateway_types.go, site-src/concepts/hostnames.md, read 2026-12-02):
# a rule without matches is "PathPrefix /"; PathPrefix compares whole path elements and ignores a
# trailing slash, the longer prefix wins; a listener's "*.example.org" matches one or more labels but
# not the apex; a listener without allowedRoutes takes routes of its own namespace only.
# --------------------------------------------------------------------------------------------------

MINIMAL_GATEWAY = textwrap.dedent("""
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata: {name: web, namespace: demo}
    spec:
      gatewayClassName: example
      listeners: [{name: http, port: 80, protocol: HTTP}]
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: site, namespace: demo}
    spec:
      parentRefs: [{name: web}]
      rules: [{backendRefs: [{name: site, port: 8080}]}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: site, namespace: demo}
    spec: {selector: {app: site}, ports: [{port: 8080}]}
    """)


def picture_of(notebook: nbformat.NotebookNode) -> list[dict]:
    """The PNG outputs of the Gateway picture cell: width in pixels and the stored smallest text height."""
    cell = next(c for c in notebook.cells if c.get("id") == "gateway-picture")
    pictures = []
    for output in cell.outputs:
        if "image/png" in output.get("data", {}):
            import base64

            png = base64.b64decode(output["data"]["image/png"])
            width = struct.unpack(">I", png[16:20])[0]  # the IHDR chunk: width, then height
            pictures.append({"width": width, "text_px": output["metadata"]["image/png"]["smallest_text_px"]})
    return pictures


def test_a_minimal_gateway_and_route_without_other_manifests(tmp_path):
    gateway = tmp_path / "gateway.yaml"
    gateway.write_text(MINIMAL_GATEWAY)
    requests = ["http://anything.example/", "POST http://anything.example/form?x=1", "https://anything.example/"]

    notebook = run_notebook(**{**ONLY, "GATEWAY": str(gateway), "REQUESTS": requests})
    texts = texts_of(notebook)

    assert "read 3 objects (Gateway: 1, HTTPRoute: 1, Service: 1) from 1 source" in cell_with(texts, "not used for")
    assert 'GatewayClass "example" is not among the objects; assumed to exist' in cell_with(texts, "note:")
    attach = cell_with(texts, "attached to listener")
    assert re.search(r"^demo/web\s+http\s+80\s+HTTP\s+–\s+Same\s+1\s+–$", attach, flags=re.MULTILINE), attach
    assert "demo/site  spec.parentRefs[0]  demo/web  http  True  Accepted" in attach
    table = cell_with(texts, "the connection fails")
    # No matches: PathPrefix /, any method, so both plain-HTTP requests reach the Service; nothing listens on 443.
    assert "http://anything.example/  http  200  demo/site:8080  demo/site" in table
    assert "POST http://anything.example/form?x=1  http  200  demo/site:8080" in table
    assert "https://anything.example/  –  none  no listener on port 443: the connection fails" in table
    assert printed(texts, "No Ingress among the objects: nothing to compare.")
    assert printed(texts, "Part 3 skipped: MANIFESTS is None.") and printed(texts, "Part 5 skipped: FLOW_LOGS is None.")
    assert "1 matches tried, 0 not reached by their own request" in cell_with(texts, "matches tried")
    (picture,) = picture_of(notebook)
    assert picture["width"] <= 784 and picture["text_px"] >= 9


ROUTES_AND_AN_INGRESS = textwrap.dedent("""
    apiVersion: v1
    kind: Namespace
    metadata: {name: infra}
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: team}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: api, namespace: infra}
    spec: {selector: {app: api}, ports: [{port: 8080}]}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: infra}
    spec: {selector: {app: web}, ports: [{port: 80}]}
    ---
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: app, namespace: infra}
    spec:
      defaultBackend: {service: {name: web, port: {number: 80}}}
      rules:
      - host: app.example.org
        http:
          paths:
          - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 8080}}}}
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata: {name: web, namespace: infra}
    spec:
      gatewayClassName: example
      listeners: [{name: http, port: 80, protocol: HTTP, hostname: "*.example.org"}]
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: app, namespace: infra}
    spec:
      parentRefs: [{name: web}]
      hostnames: [app.example.org]
      rules:
      - matches: [{path: {type: PathPrefix, value: /api}}]
        backendRefs: [{name: api, port: 8080}]
      - backendRefs: [{name: web, port: 80}]
      - matches: [{path: {type: PathPrefix, value: /api/}}]
        backendRefs: [{name: api, port: 8080}]
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: other, namespace: team}
    spec:
      parentRefs: [{name: web, namespace: infra}]
      rules: [{backendRefs: [{name: web, port: 80}]}]
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: stray, namespace: infra}
    spec:
      parentRefs: [{name: web}]
      hostnames: [shop.example.net]
      rules: [{backendRefs: [{name: web, port: 80}]}]
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: {name: lost, namespace: infra}
    spec:
      parentRefs: [{name: web, sectionName: https}]
      rules: [{backendRefs: [{name: web, port: 80}]}]
    """)


def test_routes_that_do_not_attach_and_an_ingress_that_answers_differently(tmp_path):
    folder = tmp_path / "k8s"
    folder.mkdir()
    (folder / "all.yaml").write_text(ROUTES_AND_AN_INGRESS)
    requests = ["http://app.example.org/api/users", "http://app.example.org/apiary", "http://deep.app.example.org/",
                "http://example.org/", "https://app.example.org/"]

    # The Gateway objects sit in the manifests' folder: GATEWAY names the same folder, read once.
    notebook = run_notebook(**{**ONLY, "MANIFESTS": str(folder), "GATEWAY": str(folder), "REQUESTS": requests})
    texts = texts_of(notebook)

    assert ("Gateway API objects (HTTPRoute: 4, Gateway: 1): the cluster model sets them aside"
            in cell_with(texts, "the cluster model sets them aside"))
    assert "from 1 source" in cell_with(texts, "not used for routing")   # not read twice
    attach = cell_with(texts, "attached to listener")
    assert "infra/app  spec.parentRefs[0]  infra/web  http  True  Accepted" in attach
    # team/other: no allowedRoutes, so only routes of namespace infra may attach.
    assert re.search(r"^team/other  spec.parentRefs\[0\]  infra/web  False  NotAllowedByListeners  ", attach,
                     flags=re.MULTILINE), attach
    assert re.search(r"^infra/stray  .*  False  NoMatchingListenerHostname  ", attach, flags=re.MULTILINE), attach
    assert re.search(r"^infra/lost  .*  False  NoMatchingParent  ", attach, flags=re.MULTILINE), attach
    table = cell_with(texts, "the connection fails")
    assert "http://app.example.org/api/users  http  200  infra/api:8080  infra/app" in table
    assert "http://app.example.org/apiary  http  200  infra/web:80  infra/app" in table   # /apiary is not below /api
    # The listener takes deep.app.example.org (one or more labels), no attached route names it.
    assert re.search(r"^http://deep.app.example.org/  http  404  ", table, flags=re.MULTILINE), table
    assert re.search(r"^http://example.org/  –  404  no listener of Gateway infra/web takes host example.org", table,
                     flags=re.MULTILINE), table
    assert "https://app.example.org/  –  none  no listener on port 443: the connection fails" in table
    assert cell_with(texts, "GET deep.app.example.org/ at Gateway infra/web").count("-> 404") == 2
    # The Ingress: /apiary and every host without rules go to its default backend; its translation does the
    # same through a catch-all route; the Gateway written here has no catch-all.
    compared = cell_with(texts, "answered differently")
    assert "not compared (the translation listens on 80 only): https://app.example.org/" in compared
    assert "2 of 4 requests are answered differently somewhere" in compared
    assert "http://app.example.org/apiary  infra/web:80  infra/web:80  infra/web:80  False" in compared
    assert "http://deep.app.example.org/  infra/web:80  infra/web:80  404  True" in compared
    assert "http://example.org/  infra/web:80  infra/web:80  404  True" in compared
    assert "Ingress infra/app, spec.defaultBackend: the Gateway API has no Ingress-wide default" in compared
    # PathPrefix /api/ matches every path /api matches (a trailing slash is ignored) and is longer, so the
    # request for rule 0 goes to rule 2: rule 0 can never be reached.
    reached = cell_with(texts, "matches tried")
    assert "3 matches tried, 1 not reached by their own request" in reached
    assert "infra/app  spec.rules[0].matches[0]  GET app.example.org/api  False  infra/app spec.rules[2].matches[0]" \
        in reached
    assert "decided by: the longer path prefix" in reached
    (picture,) = picture_of(notebook)
    assert picture["width"] <= 784 and picture["text_px"] >= 9


# --------------------------------------------------------------------------------------------------
# (e) Flow logs and a cluster state written here. Two nodes in two zones; the expected costs are worked
# out by hand at AWS's us-east-1 list prices, GB = 2^30 bytes as the course's price tables take it:
# 0.01 USD per GB on each side of a zone crossing, 0.045 USD per GB through a NAT gateway, internet egress
# free for the first 100 GB of a month, then 0.09 USD per GB.
# --------------------------------------------------------------------------------------------------

GiB = 2**30
T0 = 1_793_664_000  # 2026-11-03 00:00:00 UTC
CLUSTER_STATE = textwrap.dedent("""
    apiVersion: v1
    kind: List
    items:
    - apiVersion: v1
      kind: Node
      metadata: {name: n-a, labels: {topology.kubernetes.io/zone: us-east-1a}}
      status: {addresses: [{type: InternalIP, address: 10.0.1.10}]}
    - apiVersion: v1
      kind: Node
      metadata: {name: n-b, labels: {topology.kubernetes.io/zone: us-east-1b}}
      status: {addresses: [{type: InternalIP, address: 10.0.2.10}]}
    - apiVersion: v1
      kind: Pod
      metadata: {name: web-1, namespace: shop, labels: {app: web}}
      spec: {nodeName: n-a, containers: [{name: web, image: web}]}
      status: {phase: Running, podIP: 10.0.1.21}
    - apiVersion: v1
      kind: Pod
      metadata: {name: web-2, namespace: shop, labels: {app: web}}
      spec: {nodeName: n-b, containers: [{name: web, image: web}]}
      status: {phase: Running, podIP: 10.0.2.22}
    - apiVersion: v1
      kind: Pod
      metadata: {name: db-0, namespace: data, labels: {app: db}}
      spec: {nodeName: n-b, containers: [{name: db, image: db}]}
      status: {phase: Running, podIP: 10.0.2.31}
    - apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec: {selector: {app: web}, ports: [{port: 80}]}
    - apiVersion: v1
      kind: Service
      metadata: {name: db, namespace: data}
      spec: {selector: {app: db}, ports: [{port: 5432}]}
    """)


def write_state(tmp_path: Path) -> Path:
    state = tmp_path / "state.yaml"
    state.write_text(CLUSTER_STATE)
    return state


def usd_row(texts: list[str], namespace: str) -> list[str]:
    table = cell_with(texts, "a month of 30 days")
    found = re.search(rf"^{re.escape(namespace)}((?:\s+[\d,]+\.\d\d)+)$", table, flags=re.MULTILINE)
    assert found, f"no row for {namespace} in:\n{table}"
    return found.group(1).split()


def test_a_default_format_flow_log_warns_and_counts_both_copies(tmp_path):
    """Version 2, no header: no flow-direction (both copies of the web-1 -> db-0 transfer count) and no pkt-*
    fields (the node's address stands in for the pod on the node's own side)."""
    log = tmp_path / "day.log"
    lines = [
        # the sender's interface, egress: its own primary address for web-1
        f"2 123456789012 eni-a 10.0.1.10 10.0.2.31 40000 5432 6 2000 {3 * GiB} {T0} {T0 + 59} ACCEPT OK",
        # the receiver's interface, ingress: its own primary address for db-0
        f"2 123456789012 eni-b 10.0.1.21 10.0.2.10 40000 5432 6 2000 {3 * GiB} {T0} {T0 + 59} ACCEPT OK",
        # the node itself through the NAT gateway of its zone
        f"2 123456789012 eni-a 10.0.1.10 10.0.0.50 50000 443 6 3000 {4 * GiB} {T0 + 86340} {T0 + 86399} ACCEPT OK",
        f"2 123456789012 eni-b - - - - - - - {T0} {T0 + 59} - NODATA",
        f"2 123456789012 eni-a - - - - - - - {T0 + 60} {T0 + 119} - SKIPDATA",
    ]
    log.write_text("\n".join(lines) + "\n")

    texts = run_only(FLOW_LOGS=str(log), CLUSTER_STATE=str(write_state(tmp_path)), FLOW_LOG_DAYS=2,
                     NAT_GATEWAYS={"10.0.0.50": "us-east-1a"}, OTHER_REGIONS={})

    read = cell_with(texts, "records,")
    assert f"1 file(s), 5 records, 3 with traffic: {10 * GiB:,} bytes" in read
    assert "skipped, no traffic: NODATA 1, SKIPDATA 1, blank lines 0" in read
    assert "1 SKIPDATA records: AWS lost records of those intervals" in read
    assert "WARNING: no flow-direction field, so no count_once" in read
    assert "WARNING: no pkt-srcaddr and pkt-dstaddr" in read
    # 6 GiB have a pod at one end (as pkt-less records show it: on the far side), 4 GiB only a node.
    assert ("bytes with a pod at one end at least: 60.0%; only nodes: 40.0%; neither end in the book: 0.0%"
            in cell_with(texts, "bytes with a pod"))
    cost = cell_with(texts, "a month of 30 days")
    assert "a month of 30 days: every byte of the log x 15 (30 / 2)" in cost
    # Each copy is a crossing of 3 GiB whose node side goes to the pod across: 2 sides x 3 GiB x 15 days x 0.01.
    # The NAT gateway: 4 GiB x 15 x 0.045 = 2.70, for (nodes). Columns: inter_zone, nat_gateway, total.
    assert usd_row(texts, "data") == ["0.90", "0.00", "0.90"]
    assert usd_row(texts, "shop") == ["0.90", "0.00", "0.90"]
    assert usd_row(texts, "(nodes)") == ["0.00", "2.70", "2.70"]
    assert "in no namespace: 0 bytes a month" in cost
    zones = cell_with(texts, "bytes crossing zones")
    assert f"bytes crossing zones in the log: {6 * GiB:,} (60.0% of all)" in zones
    assert f"node/n-a  us-east-1a  data/db-0  us-east-1b  {3 * GiB:,}  50.0%" in zones
    # shop/web has one endpoint in each zone: at random, half the requests leave; PreferClose keeps them.
    assert "shop/web  us-east-1a  1 of 2  50.0%  0.0%" in zones
    assert "shop/web  us-east-1b  1 of 2  50.0%  0.0%" in zones
    assert "data/db" not in zones.split("Service")[-1]   # one zone only
    assert printed(texts, "Part 4 skipped: GATEWAY is None.")
    exercise = cell_with(texts, "pandas:")
    assert "pandas:     {'records': 5, 'NODATA': 1, 'SKIPDATA': 1, 'bytes': 10737418240}" in exercise
    assert "count_once dropped 0.0% of the bytes as copies" in exercise


def test_a_custom_format_flow_log_gzipped_with_a_header(tmp_path):
    """Version 5 fields with a header line, gzipped: count_once drops the receiver's copy, pkt-* name the pod,
    and on the NAT gateway's interface (no instance) the interface's addresses are the ends."""
    header = ("version interface-id instance-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
              "action log-status pkt-srcaddr pkt-dstaddr flow-direction")
    lines = [
        header,
        f"5 eni-a i-a 10.0.1.10 10.0.2.31 40000 5432 6 2000 {3 * GiB} {T0} {T0 + 59} ACCEPT OK "
        "10.0.1.21 10.0.2.31 egress",
        f"5 eni-b i-b 10.0.1.21 10.0.2.10 40000 5432 6 2000 {3 * GiB} {T0} {T0 + 59} ACCEPT OK "
        "10.0.1.21 10.0.2.31 ingress",
        f"5 eni-a i-a 10.0.1.10 203.0.113.9 50000 443 6 3000 {4 * GiB} {T0 + 60} {T0 + 119} ACCEPT OK "
        "10.0.1.21 203.0.113.9 egress",
        f"5 eni-n - 10.0.1.21 10.0.0.50 50000 443 6 3000 {4 * GiB} {T0 + 60} {T0 + 119} ACCEPT OK "
        "10.0.1.21 203.0.113.9 ingress",
        f"5 eni-n - 10.0.0.50 203.0.113.9 50000 443 6 3000 {4 * GiB} {T0 + 86340} {T0 + 86399} ACCEPT OK "
        "10.0.0.50 203.0.113.9 egress",
        f"5 eni-b i-b - - - - - - - {T0} {T0 + 59} - NODATA - - -",
    ]
    folder = tmp_path / "flowlogs"
    folder.mkdir()
    (folder / "day.log.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))

    texts = run_only(FLOW_LOGS=str(folder), CLUSTER_STATE=str(write_state(tmp_path)),
                     NAT_GATEWAYS={"10.0.0.50": "us-east-1a"}, OTHER_REGIONS={})

    read = cell_with(texts, "records,")
    assert f"1 file(s), 6 records, 5 with traffic: {18 * GiB:,} bytes" in read
    assert "format of 1 file(s): " + header in read
    assert "skipped, no traffic: NODATA 1, SKIPDATA 0, blank lines 0" in read
    assert f"count_once: 1 ingress copies of transfers logged as egress too dropped ({3 * GiB:,} bytes)" in read
    assert "WARNING" not in "\n".join(texts)
    # Left: 3 GiB web-1 -> db-0, 4 GiB web-1 -> internet, 4 GiB web-1 -> NAT, 4 GiB NAT -> internet (no pod).
    assert ("bytes with a pod at one end at least: 73.3%; only nodes: 0.0%; neither end in the book: 26.7%"
            in cell_with(texts, "bytes with a pod"))
    cost = cell_with(texts, "a month of 30 days")
    assert "2026-11-03 23:59:59+00:00: 1 day of traffic" in cost
    assert "a month of 30 days: every byte of the log x 30 (30 / 1)" in cost
    # Columns: inter_zone, internet_out, nat_gateway, total.
    # shop: 3 GiB x 30 x 0.01 = 0.90; (120 - 100 free) GB x 0.09 = 1.80; 120 GB x 0.045 = 5.40.
    assert usd_row(texts, "shop") == ["0.90", "1.80", "5.40", "8.10"]
    assert usd_row(texts, "data") == ["0.90", "0.00", "0.00", "0.90"]
    assert f"in no namespace: {4 * GiB * 30:,} bytes a month" in cost
    zones = cell_with(texts, "bytes crossing zones")
    assert f"shop/web-1  us-east-1a  data/db-0  us-east-1b  {3 * GiB:,}  100.0%" in zones
    exercise = cell_with(texts, "pandas:")
    assert f"pandas:     {{'records': 6, 'NODATA': 1, 'SKIPDATA': 0, 'bytes': {18 * GiB}}}" in exercise
    assert "count_once dropped 16.7% of the bytes as copies" in exercise      # 3 of 18 GiB
