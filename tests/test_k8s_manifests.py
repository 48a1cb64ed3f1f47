"""Reading manifests (files, folders, text, Lists) and building the cluster model from
them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingress_egress.k8s import Cluster, ManifestError, load_manifests

DATA = Path(__file__).resolve().parents[1] / "data" / "k8s"

NS = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"


def test_files_folders_and_documents(tmp_path):
    (tmp_path / "b.yaml").write_text(
        NS.format(name="b")
        + "---\n# only a comment\n---\n"
        + NS.format(name="c")
        + "---\n"
    )
    (tmp_path / "a.yml").write_text(
        "# a comment before the first marker is not a document\n---\n"
        + NS.format(name="a")
    )
    (tmp_path / "notes.txt").write_text(NS.format(name="not-read"))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.yaml").write_text(NS.format(name="not-recursive"))
    objects = load_manifests(tmp_path)
    assert [o["metadata"]["name"] for o in objects] == [
        "a",
        "b",
        "c",
    ]  # a.yml before b.yaml: sorted names
    assert (
        objects.empty_documents == 2
    )  # b.yaml's comment-only document and its trailing "---"
    assert objects.sources == [str(tmp_path / "a.yml"), str(tmp_path / "b.yaml")]
    assert objects.origin(objects[2]) == f"{tmp_path / 'b.yaml'}, document 3"
    # a single file, a str path and a Path give the same
    assert load_manifests(str(tmp_path / "b.yaml")) == load_manifests(
        tmp_path / "b.yaml"
    )


def test_text_dicts_and_lists():
    from_text = load_manifests(NS.format(name="x"))
    from_dict = load_manifests(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}
    )
    from_list = load_manifests(
        [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}]
    )
    assert from_text == from_dict == from_list
    assert (
        load_manifests("{apiVersion: v1, kind: Namespace, metadata: {name: flow}}")[0][
            "metadata"
        ]["name"]
        == "flow"
    )


def test_kind_list_and_typed_lists():
    objects = load_manifests("""
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: one}
- apiVersion: v1
  kind: List
  items:
  - {apiVersion: v1, kind: Namespace, metadata: {name: nested}}
---
apiVersion: v1
kind: PodList
items:
- metadata: {name: p, namespace: one}
  spec: {containers: []}
""")
    assert [(o["kind"], o["metadata"]["name"]) for o in objects] == [
        ("Namespace", "one"),
        ("Namespace", "nested"),
        ("Pod", "p"),
    ]
    assert (
        objects[2]["apiVersion"] == "v1"
    )  # filled in from the PodList, as the API leaves it out
    assert objects.origin(objects[1]) == "<text 1>, document 1, items[1], items[0]"


def test_other_kinds_are_set_aside_and_counted():
    objects = load_manifests(
        NS.format(name="a")
        + """---
apiVersion: v1
kind: ConfigMap
metadata: {name: c1}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c2}
---
apiVersion: v1
kind: Secret
metadata: {name: s}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r}
"""
    )
    assert len(objects) == 1
    assert objects.ignored == {"ConfigMap": 2, "Role": 1, "Secret": 1}
    assert [o["metadata"]["name"] for o in objects.ignored_objects] == [
        "c1",
        "c2",
        "s",
        "r",
    ]
    assert objects.summary() == (
        "read 1 object (Namespace: 1) from 1 source; set aside 4 (ConfigMap: 2, Role: "
        "1, Secret: 1); 0 empty documents"
    )
    assert Cluster(objects).skipped == {"ConfigMap": 2, "Role": 1, "Secret": 1}


def test_invalid_yaml_names_file_document_and_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(
        NS.format(name="ok")
        + "---\n"
        + NS.format(name="ok2")
        + "---\nkind: Pod\nmetadata:\n  name: [x\n"
    )
    with pytest.raises(ManifestError) as caught:
        load_manifests(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, document 3: invalid YAML: ")
    # lines 1-10 are two namespaces and two markers, 11-13 the broken Pod; the parser
    # reaches the end of the file (line 14, column 1) still looking for the closing
    # bracket
    assert message.endswith("did not find expected ',' or ']' (line 14, column 1)")
    assert caught.value.origin == f"{path}, document 3"


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "- just\n- a list\n",
            "<text 1>, document 1: expected a mapping (a Kubernetes object), got list",
        ),
        (
            "apiVersion: v1\nmetadata: {name: x}\n",
            "<text 1>, document 1: x: kind: Required value",
        ),
        (
            "kind: Pod\nmetadata: {name: web}\n",
            "<text 1>, document 1: Pod web: apiVersion: Required value",
        ),
        (
            "apiVersion: v1\nkind: Pod\n",
            "<text 1>, document 1: Pod (no name): metadata: Required value",
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {namespace: a}\n",
            "<text 1>, document 1: Pod (no name): metadata.name: "
            "Required value: name or generateName is required",
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {canary: true}}\n",
            "<text 1>, document 1: Pod p: metadata.labels.canary: "
            "Invalid value: True: label values must be strings",
        ),
        (
            "apiVersion: v1\nkind: List\nitems: {a: 1}\n",
            "<text 1>, document 1: List: items: Invalid value: expected a list",
        ),
    ],
)
def test_invalid_objects(text, message):
    with pytest.raises(ManifestError) as caught:
        load_manifests(text)
    assert str(caught.value).startswith(message), str(caught.value)


def test_missing_path_and_wrong_type():
    with pytest.raises(FileNotFoundError, match="nowhere.yaml"):
        load_manifests("nowhere.yaml")
    with pytest.raises(TypeError, match="cannot read a int"):
        load_manifests(42)


def test_shipped_shop_manifests_are_all_read():
    # independent count: top-level "kind:" lines per file, read as text, not through the
    # YAML parser
    kinds: dict[str, int] = {}
    for path in sorted(DATA.glob("*.yaml")):
        for kind in re.findall(r"^kind: (\w+)$", path.read_text(), flags=re.MULTILINE):
            kinds[kind] = kinds.get(kind, 0) + 1
    objects = load_manifests(DATA)
    read = {}
    for obj in [*objects, *objects.ignored_objects]:
        read[obj["kind"]] = read.get(obj["kind"], 0) + 1
    assert read == kinds
    assert objects.ignored == {"ConfigMap": 1, "ServiceAccount": 2}


# --------------------------------------------------------------------------------------
# The cluster model
# --------------------------------------------------------------------------------------

APP = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers:
      - name: web
        image: x
        ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53,
                protocol: UDP}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: batch}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: report}}
        spec: {containers: [{name: r, image: x}], restartPolicy: Never}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}, {name: raw, port: 9000}]
"""


def test_namespaces_default_and_implicit():
    cluster = Cluster(load_manifests(NS.format(name="shop") + "---\n" + APP))
    assert list(cluster.namespaces) == ["batch", "default", "shop"]
    assert cluster.implicit_namespaces == [
        "batch"
    ]  # used by the CronJob, never declared
    assert cluster.namespaces["shop"] == {"kubernetes.io/metadata.name": "shop"}
    assert cluster.namespaces["default"] == {"kubernetes.io/metadata.name": "default"}
    # the automatic label wins over a hand-written one, as the API server sets it
    c2 = Cluster(
        load_manifests(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n"
            "    kubernetes.io/metadata.name: b\n    team: t\n"
        )
    )
    assert c2.namespaces["a"] == {"kubernetes.io/metadata.name": "a", "team": "t"}


def test_workloads_give_one_representative_pod_each():
    cluster = Cluster(load_manifests(APP))
    assert cluster.pod_names == ["batch/report", "shop/web"]
    web = cluster.pod("shop/web")
    assert web.labels == {"app": "web", "tier": "front"}
    assert web.owner == "Deployment shop/web"
    assert web.named_ports == {("http", "TCP"): 8080, ("dns", "UDP"): 53}
    assert cluster.pod("batch/report").owner == "CronJob batch/report"
    # addresses from the pod CIDR, in sorted pod order
    assert [p.ips for p in cluster.pods] == [("10.244.0.1",), ("10.244.0.2",)]
    assert Cluster(load_manifests(APP), pod_cidr="192.168.7.0/24").pod(
        "shop/web"
    ).ips == ("192.168.7.2",)


def test_real_pods_represent_their_workload():
    real_pod = """---
apiVersion: v1
kind: Pod
metadata:
  name: web-5d8f7-abcde
  namespace: shop
  labels: {app: web, tier: front, pod-template-hash: 5d8f7}
  ownerReferences: [{kind: ReplicaSet, name: web-5d8f7, apiVersion: apps/v1, uid: "1"}]
spec: {containers: [{name: web, image: x, ports: [{name: http, containerPort: 8080}]}]}
status: {podIP: 10.1.2.3}
"""
    cluster = Cluster(load_manifests(APP + real_pod))
    assert cluster.pod_names == ["batch/report", "shop/web-5d8f7-abcde"]
    assert cluster.represented_by_pods == {
        "Deployment shop/web": ["shop/web-5d8f7-abcde"]
    }
    assert cluster.pod("10.1.2.3").owner == "ReplicaSet shop/web-5d8f7"
    assert cluster.pod("batch/report").ips == ("10.244.0.1",)


def test_service_endpoints_resolve_named_target_ports():
    cluster = Cluster(load_manifests(APP))
    assert cluster.service_endpoints("shop", "web", 80) == [("shop/web", 8080)]
    assert cluster.service_endpoints("shop", "web", "raw") == [
        ("shop/web", 9000)
    ]  # no targetPort: same number
    assert cluster.service_endpoints("shop", "web") == [("shop/web", 8080)]
    with pytest.raises(KeyError, match="no port 443"):
        cluster.service_endpoints("shop", "web", 443)
    with pytest.raises(KeyError, match="no Service shop/api"):
        cluster.service_endpoints("shop", "api", 80)


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: "
            "d}\nspec: {selector: {matchLabels: {a: b}}}\n",
            "<text 1>, document 1: Deployment d: spec.template: Required value",
        ),
        (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  "
            "selector: {matchLabels: {a: b}}\n  template: {metadata: "
            "{labels: {a: c}}, spec: {containers: []}}\n",
            "<text 1>, document 1: Deployment d: spec.template.metadata.labels: "
            "Invalid value: {'a': 'c'}: `selector` does not match template `labels`",
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: "
            "{containers: [{name: c, ports: [{containerPort: 0}]}]}\n",
            "<text 1>, document 1: Pod p: spec.containers[0].ports[0].containerPort: "
            "Invalid value: 0: must be between 1 and 65535, inclusive",
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
            "spec: {containers: [{name: c, ports: "
            "[{containerPort: 80, protocol: HTTP}]}]}\n",
            "<text 1>, document 1: Pod p: spec.containers[0].ports[0].protocol: "
            'Unsupported value: "HTTP"',
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
            "spec: {containers: [{name: c, ports: "
            "[{containerPort: 80, name: Web_Port}]}]}\n",
            "<text 1>, document 1: Pod p: spec.containers[0].ports[0].name: Invalid "
            'value: "Web_Port": must contain only',
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: "
            "{containers: []}\nstatus: {podIP: 10.0.0.300}\n",
            "<text 1>, document 1: Pod p: status.podIP: Invalid "
            'value: "10.0.0.300": must be a valid IP address',
        ),
        (
            NS.format(name="a") + "---\n" + NS.format(name="a"),
            "<text 1>, document 2: Namespace a: metadata.name: Duplicate value: a "
            "second Namespace with this name (first in <text 1>, document 1)",
        ),
    ],
)
def test_invalid_cluster_objects(text, message):
    with pytest.raises(ManifestError) as caught:
        Cluster(load_manifests(text))
    assert str(caught.value).startswith(message), str(caught.value)


def test_shop_model():
    cluster = Cluster(load_manifests(DATA))
    assert cluster.implicit_namespaces == []
    assert cluster.pod_names == [
        "ingress-nginx/ingress-nginx-controller",
        "kube-system/coredns",
        "monitoring/prometheus",
        "payments/payments",
        "shop/api",
        "shop/cache",
        "shop/db",
        "shop/frontend",
    ]
    assert cluster.namespaces["payments"]["compliance"] == "pci-dss"
    # the Ingress engineer's contract: Services frontend:80 and api:8080 in shop exist
    # and reach pods
    assert cluster.service_endpoints("shop", "frontend", 80) == [
        ("shop/frontend", 8080)
    ]
    assert cluster.service_endpoints("shop", "api", 8080) == [("shop/api", 8080)]
    assert len(cluster.ingresses) == 1
    table = cluster.policy_table()
    assert (
        len(table) == 15
        and table.loc[table.policy == "shop/default-deny-all", "selects"].item() == 4
    )


def test_cluster_refuses_an_ingress_with_a_path_type_that_does_not_exist():
    # The API server accepts only Exact, Prefix and ImplementationSpecific
    # (networking.k8s.io/v1).
    ingress = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "rules": [
                {
                    "host": "shop.example.com",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Regex",
                                "backend": {
                                    "service": {
                                        "name": "frontend",
                                        "port": {"number": 80},
                                    }
                                },
                            },
                        ]
                    },
                }
            ]
        },
    }
    with pytest.raises(ManifestError) as error:
        Cluster([ingress])
    message = str(error.value)
    assert "Ingress shop/web" in message
    assert "spec.rules[0].http.paths[0].pathType" in message
    assert "Regex" in message
