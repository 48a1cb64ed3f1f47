"""Bills, manifests and the cost engine on hostile input: one regression test per defect
found by fuzzing (the captures' are in ``test_captures_hostile.py``). Inputs are built
here from the descriptions of the reproducers in ``../shared/robustness``."""

from __future__ import annotations

import gzip
import time

import pytest

from ingress_egress import bills, cloud
from ingress_egress.k8s import Cluster, ManifestError, load_manifests, manifests

HEADER = "ServiceName,ChargeDescription,ConsumedQuantity,BilledCost,ChargePeriodStart\n"
GOOD = "S3,data transfer out,1,0.09,2025-01-01\n"


def _bill(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ValueError) as info:
        bills.read_bill(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    return message


# ------------------------------------------------------------------ bills


def test_gzipped_bill_with_a_bad_number_names_the_line(tmp_path):
    # was UnicodeDecodeError while the message was being built (the .gz was read as
    # text)
    data = gzip.compress((HEADER + GOOD + "S3,x,1,abc,2025-01-01\n").encode())
    assert "line 3: column 'BilledCost': expected a finite number, got 'abc'" in _bill(
        tmp_path, "bill.csv.gz", data
    )


def test_truncated_gzip(tmp_path):
    data = gzip.compress((HEADER + GOOD * 2000).encode())
    assert "not a readable gzip file" in _bill(
        tmp_path, "cut.csv.gz", data[: len(data) // 2]
    )


def test_latin1_bytes_name_the_line_and_the_byte(tmp_path):
    data = (HEADER + GOOD + "S3,Z\xfcrich,1,0.09,2025-01-01\n").encode("latin-1")
    # line 3; the byte 0xfc sits at offset len(HEADER) + len(GOOD) + 4
    offset = len(HEADER) + len(GOOD) + 4
    assert f"line 3: not UTF-8 text (byte 0xfc at byte offset {offset})" in _bill(
        tmp_path, "latin1.csv", data
    )


def test_field_over_the_limit(tmp_path):
    long = "A" * (bills.MAX_FIELD_CHARS + 1)
    message = _bill(
        tmp_path,
        "long.csv",
        (
            HEADER + GOOD + f"S3,{long},1,0.09,2025-01-01\n" + "S3,x,1,abc,2025-01-01\n"
        ).encode(),
    )
    assert (
        "line 3: column 'ChargeDescription': a field of 131,073 characters; the "
        "longest accepted is 131,072" in message
    )
    assert "a header field of 131,073 characters" in _bill(
        tmp_path, "header.csv", ("X" * 131_073 + "," + HEADER).encode()
    )


def test_field_at_the_limit_is_read(tmp_path):
    path = tmp_path / "limit.csv"
    path.write_text(HEADER + f"S3,{'A' * bills.MAX_FIELD_CHARS},1,0.09,2025-01-01\n")
    assert len(bills.read_bill(path)) == 1


@pytest.mark.parametrize(
    "cost", ["inf", "Infinity", "-inf", "1e309", "9" * 400, "nan", "None"]
)
def test_non_finite_costs_and_stray_null_words_are_refused(tmp_path, cost):
    message = _bill(
        tmp_path, "bad.csv", (HEADER + GOOD + f"S3,x,1,{cost},2025-01-01\n").encode()
    )
    assert (
        f"line 3: column 'BilledCost': expected a finite number, got {cost[:80]!r}"
        in message
    )


def test_null_and_empty_are_still_missing_and_counted(tmp_path):
    path = tmp_path / "null.csv"
    path.write_text(
        HEADER + GOOD + "S3,credit,NULL,-1,2025-01-01\nS3,credit,,-2,2025-01-01\n"
    )
    bill = bills.read_bill(path)
    assert bill.attrs["missing"] == {"quantity": 2, "cost": 0}
    assert bill["cost"].sum() == pytest.approx(0.09 - 3)


def test_costs_adding_up_beyond_a_float(tmp_path):
    assert "add up to more than a float holds" in _bill(
        tmp_path,
        "huge.csv",
        (HEADER + "S3,a,1,1e308,2025-01-01\nS3,b,1,1e308,2025-01-01\n").encode(),
    )


# ------------------------------------------------------------------ manifests and
# Cluster

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: {ns}}}
spec:
  selector: {sel}
  template:
    metadata: {{labels: {{app: web}}}}
    spec: {{containers: [{{name: c, image: nginx, ports: {ports}}}]}}
"""


def _manifest_error(text: str) -> str:
    with pytest.raises(ManifestError) as info:
        Cluster(load_manifests(text))
    return str(info.value)


@pytest.mark.parametrize(
    "ns, expected",
    [
        ("{a: b}", "metadata.namespace: Invalid value: {'a': 'b'}: must be a string"),
        ("5", "metadata.namespace: Invalid value: 5: must be a string"),
        (
            "Shop_1",
            'metadata.namespace: Invalid value: "Shop_1": a lowercase RFC 1123 label',
        ),
    ],
)
def test_namespace_of_the_wrong_type(ns, expected):
    text = DEPLOYMENT.format(
        ns=ns, sel="{matchLabels: {app: web}}", ports="[{containerPort: 80}]"
    )
    assert expected in _manifest_error(text)


def test_match_labels_not_a_map():
    text = DEPLOYMENT.format(
        ns="shop", sel="{matchLabels: x}", ports="[{containerPort: 80}]"
    )
    assert (
        "Deployment shop/web: spec.selector.matchLabels: "
        'Invalid value: "x": must be a map' in _manifest_error(text)
    )


def test_container_ports_not_a_list():
    text = DEPLOYMENT.format(ns="shop", sel="{matchLabels: {app: web}}", ports="80")
    assert (
        "spec.template.spec.containers[0].ports: Invalid value: must be a list"
        in _manifest_error(text)
    )


def test_raw_objects_given_to_cluster_are_checked_too():
    with pytest.raises(ManifestError, match="metadata.namespace: Invalid value"):
        Cluster(
            [
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {"name": "a", "namespace": []},
                }
            ]
        )


def test_self_referencing_alias():
    with pytest.raises(
        ManifestError, match="an alias refers to a node that contains it"
    ):
        load_manifests("&l\napiVersion: v1\nkind: List\nitems: [*l]\n")


def test_billion_laughs_in_a_label_is_refused_quickly():
    anchors = (
        '    a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(
            f"    a{k}: &a{k} [" + ",".join([f"*a{k - 1}"] * 9) + "]\n"
            for k in range(1, 10)
        )
    )
    text = (
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  annotations:\n"
        + anchors
        + "  labels:\n    bomb: *a9\n"
    )
    assert len(text) < 700
    start = time.process_time()
    with pytest.raises(ManifestError, match="document contains excessive aliasing"):
        load_manifests(text)
    assert time.process_time() - start < 20  # was: minutes, or memory exhausted


def _amplified(n: int) -> str:
    peers = (
        "["
        + ",".join(
            f"{{ipBlock: {{cidr: 10.{i // 256 % 256}.{i % 256}.0/24}}}}"
            for i in range(n)
        )
        + "]"
    )
    return (
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        "metadata: {name: p, namespace: default}\nspec:\n  podSelector: {}\n"
        "  policyTypes: [Ingress]\n  ingress:\n"
        f"  - {{from: &peers {peers}, ports: [{{port: 80}}]}}\n"
        + "".join("  - {from: *peers, ports: [{port: 80}]}\n" for _ in range(n - 1))
    )


def test_one_aliased_list_reused_by_every_rule():
    # n = 1500: 109 KB of YAML that expands to n^2 peers (ran over 60 s); refused like
    # kubectl
    text = _amplified(1500)
    assert 100_000 < len(text) < 120_000
    with pytest.raises(ManifestError, match="excessive aliasing"):
        load_manifests(text)


def test_moderate_aliasing_is_allowed():
    # go-yaml allows any share of aliases below 400,000 nodes: 40 x 40 peers load
    policy = load_manifests(_amplified(40))[0]
    assert len(policy["spec"]["ingress"]) == 40


def test_alias_ratio_follows_go_yaml():
    assert manifests._allowed_alias_ratio(400_000) == 0.99
    assert manifests._allowed_alias_ratio(4_000_000) == 0.10
    assert manifests._allowed_alias_ratio(2_200_000) == pytest.approx(0.545)


def test_duplicate_mapping_key_is_refused():
    with pytest.raises(
        ManifestError, match=r"found duplicate key 'name' \(first at line 4\)"
    ):
        load_manifests(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n"
        )


def test_merge_keys_are_not_duplicates():
    # an explicit key beside a merge key (<<) overrides the merged one, as YAML says
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "- {apiVersion: v1, kind: Namespace, metadata: "
        "{name: x, labels: &l {a: '1'}}}\n"
        "- {apiVersion: v1, kind: Namespace, metadata: "
        "{name: y, labels: {<<: *l, a: '2'}}}\n"
    )
    assert [o["metadata"]["labels"] for o in load_manifests(text)] == [
        {"a": "1"},
        {"a": "2"},
    ]


@pytest.mark.parametrize(
    "key",
    ["a b", "-a", "a-", "a/b/c", "/a", "Example.com/a", "a" * 64, "x" * 254 + "/a"],
)
def test_label_keys_are_qualified_names(key):
    obj = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "x", "labels": {key: "v"}},
    }
    with pytest.raises(ManifestError, match="metadata.labels: Invalid value"):
        load_manifests(obj)


@pytest.mark.parametrize(
    "key",
    ["a", "app.kubernetes.io/name", "A_b.c-9", "a" * 63, "example.com/" + "a" * 63],
)
def test_valid_label_keys(key):
    obj = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "x", "labels": {key: ""}},
    }
    assert load_manifests(obj)[0]["metadata"]["labels"] == {key: ""}


@pytest.mark.parametrize("value", ["a b", "-a", "a" * 64, "é"])
def test_label_values_are_checked(value):
    obj = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "x", "labels": {"k": value}},
    }
    with pytest.raises(ManifestError, match="metadata.labels: Invalid value"):
        load_manifests(obj)


def test_largest_yaml_accepted(tmp_path):
    big = "# " + "x" * manifests.MAX_YAML_BYTES + "\n"
    with pytest.raises(ManifestError, match="the largest accepted is 33,554,432"):
        load_manifests(big)
    path = tmp_path / "big.yaml"
    path.write_text(big)
    with pytest.raises(ManifestError, match="the largest accepted is 33,554,432"):
        load_manifests(path)


def test_annotations_total_size():
    obj = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "x", "annotations": {"a": "x" * (256 * 1024)}},
    }
    with pytest.raises(ManifestError, match="Too long: must have at most 262144 bytes"):
        load_manifests(obj)


# ------------------------------------------------------------------ the cost engine


def test_integer_beyond_any_float_is_a_value_error():
    with pytest.raises(ValueError, match="an integer of 401 digits"):
        cloud.internet_egress_cost(10**400)
    with pytest.raises(ValueError, match="an integer of 401 digits"):
        cloud.cost_curve([10**400])


def test_volume_whose_billed_sides_overflow():
    # 1e308 GB billed on both sides is inf; it was returned as the price
    with pytest.raises(ValueError, match="overflows a float"):
        cloud.inter_zone_cost(1e308)


def test_cost_curve_refuses_strings_like_the_scalar_functions():
    with pytest.raises(TypeError, match="volumes: expected a number of units"):
        cloud.cost_curve(["100"])
    with pytest.raises(TypeError, match="volume: expected a number of units"):
        cloud.internet_egress_cost("100")
    with pytest.raises(TypeError, match="an array of <U3"):
        import numpy as np

        cloud.cost_curve(np.array(["100"]))
