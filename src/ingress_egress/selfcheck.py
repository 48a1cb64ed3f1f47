"""Self-check: tell a learner at once whether an exercise's answer is right, without
showing the answer.

Each exercise whose answer is a value (a number, an address, a name) has an entry in
``REGISTRY``: the rule that normalises an answer, the SHA-256 of
``"<label>\\n<normalised answer>"``, and a hint that says what form the answer takes
(units, precision, order). The expected answer itself is nowhere in the notebooks or
here, only its hash; the exercise's solution calls ``check`` with the value it computes,
so every run of the notebooks confirms that the stored hash is right.

Normalisation rules:

- ``"integer"``: a whole number, compared exactly (``2074736.0`` counts as ``2074736``,
  ``2074736.5`` is not a whole number). Strings of digits are accepted, with ``,`` or
  ``_`` between thousands.
- ``"decimals:N"``: a number rounded to N decimals (as ``f"{x:.Nf}"`` writes it).
- ``"sigfigs:N"``: a number rounded to N significant figures (as ``f"{x:.(N-1)e}"``
  writes it), for values whose size varies over orders of magnitude.
- ``"text"``: ``str(answer)``, stripped, lower-cased, inner runs of white space made one
  space.
- ``"boolean"``: ``True`` or ``False`` (numpy booleans too, and the words
  yes/no/true/false).
- ``"date"``: a day, as ``YYYY-MM-DD``, from a date, a datetime, a pandas Timestamp or a
  text that starts with ``YYYY-MM-DD``.
- ``"set of R"``: any collection, each item normalised by rule R, sorted, duplicates
  dropped.
- ``"list of R"``: an ordered sequence (list, tuple, pandas Series), each item
  normalised by R.
- a tuple of rules such as ``("text", "integer")``: an ordered sequence of exactly that
  length, item i normalised by rule i.

Examples
--------
>>> normalise("decimals:1", 18.96)
'19.0'
>>> normalise("set of integer", [443, 80, 80.0])
'80|443'
>>> normalise(("text", "integer"), ["  198.51.100.77 ", "4444"])
'198.51.100.77|4444'
>>> check("ex-03-deny-between", None)
ex-03-deny-between: Not answered yet.
  Set `answer` to the destination ports of the probes that get through,
  as a list of whole numbers such as [22].
False
>>> check("ex-03-deny-between", [22])  # doctest: +ELLIPSIS
ex-03-deny-between: Not yet: that is not the expected value.
  The answer is the destination ports of the probes that get through, ...
False
"""

from __future__ import annotations

import hashlib
import numbers
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Rule = str | tuple[str, ...]


@dataclass(frozen=True)
class Expected:
    """What the registry knows about one exercise: how to normalise an answer, its hash,
    a hint.
    """

    rule: Rule
    sha256: str
    hint: str


class AnswerFormError(ValueError):
    """An answer that cannot be normalised by the exercise's rule (wrong type, length or
    format).
    """


def _number(value, what: str) -> float | int:
    if isinstance(value, bool) or value is None:
        raise AnswerFormError(f"expected {what}, got {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                pass
    raise AnswerFormError(f"expected {what}, got {value!r}")


def _scalar(rule: str, value) -> str:
    if rule == "integer":
        number = _number(value, "a whole number")
        if isinstance(number, float):
            if not number.is_integer():
                raise AnswerFormError(f"expected a whole number, got {value!r}")
            number = int(number)
        return str(number)
    if rule.startswith("decimals:"):
        places = int(rule.split(":", 1)[1])
        text = f"{float(_number(value, 'a number')):.{places}f}"
        return (
            "0" + text[2:] if re.fullmatch(r"-0\.?0*", text) else text
        )  # -0.00 is 0.00
    if rule.startswith("sigfigs:"):
        figures = int(rule.split(":", 1)[1])
        return f"{float(_number(value, 'a number')):.{figures - 1}e}"
    if rule == "text":
        if value is None:
            raise AnswerFormError("expected a text, got None")
        return " ".join(str(value).split()).lower()
    if rule == "date":
        if hasattr(value, "strftime"):
            return value.strftime("%Y-%m-%d")
        text = str(value).strip() if value is not None else ""
        if re.match(r"^\d{4}-\d{2}-\d{2}(?:$|[T ])", text):
            return text[:10]
        raise AnswerFormError(f"expected a day such as '2025-01-31', got {value!r}")
    if rule == "boolean":
        if isinstance(value, bool) or type(value).__name__ in ("bool_", "bool"):
            return "true" if bool(value) else "false"
        words = {"true": "true", "yes": "true", "false": "false", "no": "false"}
        if isinstance(value, str) and value.strip().lower() in words:
            return words[value.strip().lower()]
        raise AnswerFormError(f"expected True or False, got {value!r}")
    raise ValueError(f"unknown normalisation rule {rule!r}")


def _items(value) -> list:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise AnswerFormError(f"expected a list of values, got {value!r}")
    return list(value.tolist() if hasattr(value, "tolist") else value)


def normalise(rule: Rule, value) -> str:
    """The canonical text of an answer under a rule (see the module's docstring for the
    rules).

    Raises :class:`AnswerFormError` when the answer does not have the rule's form.
    """
    if isinstance(rule, tuple):
        items = _items(value)
        if len(items) != len(rule):
            raise AnswerFormError(
                f"expected {len(rule)} values in order, got {len(items)}: {value!r}"
            )
        return "|".join(_scalar(r, item) for r, item in zip(rule, items))
    if rule.startswith("set of "):
        inner = rule[len("set of ") :]
        parts = {normalise(inner, item) for item in _items(value)}
        key = (
            (lambda s: (0, int(s), s)) if inner == "integer" else (lambda s: (0, 0, s))
        )
        return "|".join(sorted(parts, key=key))
    if rule.startswith("list of "):
        inner = rule[len("list of ") :]
        return "|".join(normalise(inner, item) for item in _items(value))
    return _scalar(rule, value)


def digest(label: str, rule: Rule, value) -> str:
    """The SHA-256 (hex) that the registry stores for an answer to exercise
    ``label``.
    """
    return hashlib.sha256(
        f"{label}\n{normalise(rule, value)}".encode("utf-8")
    ).hexdigest()


def _say(label: str, verdict: str, detail: str = "") -> None:
    """Print a verdict on one line and its detail wrapped below it, readable in a
    notebook or a book.
    """
    print(f"{label}: {verdict}")
    if detail:
        print(
            textwrap.fill(detail, width=72, initial_indent="  ", subsequent_indent="  ")
        )


def check(label: str, answer) -> bool:
    """Say whether ``answer`` is right for exercise ``label``, print why, and return
    True or False.

    ``None`` means not answered yet. An unknown label is an error that lists the known
    ones.
    """
    if label not in REGISTRY:
        raise UnknownExercise(label)
    expected = REGISTRY[label]
    if answer is None:
        _say(label, "Not answered yet.", f"Set `answer` to {expected.hint}.")
        return False
    try:
        right = digest(label, expected.rule, answer) == expected.sha256
    except AnswerFormError as error:
        _say(label, f"Not yet: {error}.", f"The answer is {expected.hint}.")
        return False
    if right:
        _say(label, "Correct.")
    else:
        _say(
            label,
            "Not yet: that is not the expected value.",
            f"The answer is {expected.hint}; check the "
            "units, the rounding and the order.",
        )
    return right


class UnknownExercise(KeyError):
    """``check`` was called with a label that has no self-check."""

    def __init__(self, label: str):
        super().__init__(label)
        self.label = label

    def __str__(self) -> str:
        return (
            f"no self-check for exercise {self.label!r}; known "
            f"labels: {', '.join(sorted(REGISTRY))}"
        )


REGISTRY: dict[str, Expected] = {
    "ex-00-download-bill": Expected(
        "text",
        "a6b852223740674f752e5db2312537adc38eb0068293b353a31e2858498742ab",
        "the direction of the video for the provider's "
        'network, one word such as "internal"',
    ),
    "ex-00-pod-to-api": Expected(
        ("text", "text", "text"),
        "a242ba531f6221a481c605c0f8ee7492f1a3f13c351dd988d41af7fe7114a412",
        "the direction of the request for the pod, for the pod network and for the "
        "cloud network, in that order, as a list of words such "
        'as ["ingress", "internal", "external"]',
    ),
    "ex-00-two-pods": Expected(
        ("text", "text", "text"),
        "98e892a73ed7029d4d0176da67251bf7f0336142dea4989b32e505127c147419",
        "the direction for the pod network, for the sending pod and for the receiving "
        "pod, in that order, as a list of words such as "
        '["egress", "external", "internal"]',
    ),
    "ex-01-packets-vs-bytes": Expected(
        ("decimals:2", "decimals:3"),
        "6f9384f39addef70041145bebfb2127932bd83f0e2372ae19d11fff3d7765655",
        "the ingress shares of the upload's packets and of its bytes, in that order, "
        "as fractions between 0 and 1 (to 2 and to 3 decimals, such as [0.25, 0.125])",
    ),
    "ex-01-server-egress": Expected(
        "integer",
        "5f1a7c91ac31c2d6acdfaf0214d795167ddedc922da6b4e4bb2bb65904c2b4a0",
        "the web server's egress during the page fetch, a "
        "whole number of bytes (frame lengths)",
    ),
    "ex-02-backup-throughput": Expected(
        "decimals:1",
        "0c250ca88f52aaef80d94e51d52631e74d4fff5c92d133a7ae77e2edd14fd195",
        "the backup's average throughput over the whole connection, in Mbit/s (10^6 "
        "bits per second), to 1 decimal",
    ),
    "ex-02-dns-before-ping": Expected(
        "set of integer",
        "c55c4daf3d3fb2128812ede5106f118db76bc3e9d8be6684c69ee7a144803696",
        "the packet numbers of the four DNS packets (the queries and their answers), "
        "as a list of whole numbers in any order",
    ),
    "ex-02-night-sender": Expected(
        ("text", "text", "integer"),
        "86a0b58bb64d19ae0c790025bf627689817e57139253a7b6a5ea1aaea2f3a5b9",
        "the office host, the address it sent to and the port, as a list such as "
        '["192.168.10.99", "203.0.113.1", 443]',
    ),
    "ex-02-sequence-arithmetic": Expected(
        "integer",
        "81fff387f4829042a513391a36452051a39327edb2d85ef98809040f0919323c",
        "the bytes of data the client sent according to "
        "its sequence numbers, a whole number",
    ),
    "ex-03-deny-between": Expected(
        "set of integer",
        "6b4666d6f0b64ad6196d2212900cbd6000832647d18ca70592d13dbec11ccb52",
        "the destination ports of the probes that get through, as a list of whole "
        "numbers such as [22]",
    ),
    "ex-03-ipv6-rules": Expected(
        ("integer", "integer"),
        "6cf8d77d41b9a9716ef8d7508aecb17569a0d4db4fd1ca874ff580548ecbecbe",
        "the bytes denied in the hour, ingress then "
        "egress, as a list of two whole numbers",
    ),
    "ex-03-ntp-replies": Expected(
        "integer",
        "4c2b370f4b91f01445602b9f4fdf5f6b30f406fc9ee3c220e62b4139ad8a075e",
        "the number of the web ACL's rule that lets the NTP answers in, a whole number",
    ),
    "ex-03-windows-range": Expected(
        "integer",
        "e96174404a01ea7eea1bc05114fa310b1fac6a3a55503cbe937cab28f7c9867e",
        "the ingress bytes dropped over the day, a whole "
        "number of bytes (frame lengths)",
    ),
    "ex-04-daytime-thief": Expected(
        "set of text",
        "221bef8e1a764a6bb2b5671be54069ce8815d7b78f484d560aca4fe19ad4ba0c",
        "the indicators that stop firing, named as in "
        '`indicators`, as a list such as ["rare"]',
    ),
    "ex-04-indicator-alone": Expected(
        "set of text",
        "7ff9ef0f6890c63124201219845e7cfb76874bc6016eb71e5c7e57c95b3de8fc",
        "the indicator or indicators that fire for the fewest pairs, named as in "
        '`indicators`, as a list such as ["spike"]',
    ),
    "ex-04-mad-by-hand": Expected(
        "sigfigs:2",
        "7779e06d035f75d403a2c8105b33a16dec835378f99e11acc21a4048c55faf49",
        "the modified z-score of the busiest hour, to 2 "
        "significant figures (such as 2.5e3 or 2500)",
    ),
    "ex-04-port-443": Expected(
        "text",
        "488a1ce8622948478da23447eb3a85c0a33dc0115bcdbe12c68eb81850dc5f39",
        "the allow-list that blocks the moved stream: "
        '"lazy", "name-based", "both" or "neither"',
    ),
    "ex-05-doh-blind": Expected(
        "integer",
        "c78a2c87d2fb69653bddd4f80b2af0993fe95f8b3b946491967fda1b8a956dde",
        "the number of (host, destination) pairs for which "
        "`not_allowed` fires, a whole number",
    ),
    "ex-05-names-threshold": Expected(
        "integer",
        "7427abdef8cdcf56eded3dd4c6299e9e6674b1a0f7f3f7ef25f4f6076b250d17",
        "the number of (day, host) pairs of the six days after the history that fire "
        "`random_names` without having leaked, a whole number",
    ),
    "ex-05-time-left": Expected(
        "decimals:0",
        "b00baf6def9eb8c13fefcd94755d053e0749bbfdd132ddada29f9e71cc92f6e5",
        "the seconds the entry has left at 10:10:00, to "
        "the nearest second (such as 1234)",
    ),
    "ex-05-wan-only": Expected(
        "set of integer",
        "f6ad87784bb19711ca5d0a5322f46e5d12ae5e8679d424c2e0c4d68ef45f4841",
        "the destination ports of the inbound packets seen only on the WAN side, as a "
        "list of whole numbers such as [22, 80], in any order",
    ),
    "ex-06-average-price": Expected(
        "decimals:0",
        "502b79e0df38278f25b043d22ec2329160383e1d98189fa1fec14176ad38a87a",
        "the monthly volume, in GB, above which the average price is below 0.088 USD "
        "per GB, rounded to a whole GB",
    ),
    "ex-06-cdn-or-not": Expected(
        ("decimals:2", "decimals:2", "decimals:2"),
        "7fa0499c9eb84bb6a68722caf39731e7b289841dc92d1a6b1b57860567493f20",
        "the saving in USD for 20,000 GB at a 90 % hit ratio, at 70 %, and for 500 GB, "
        "in that order, to 2 decimals (cents)",
    ),
    "ex-06-free-allowance": Expected(
        ("decimals:0", "decimals:0"),
        "497947438a0a8e23e3728c54f79b2320d0805b949c6f2ef046e81240d71f21eb",
        "the AWS volume in GB and the Google Cloud volume in GiB, in that order, "
        "rounded to whole units",
    ),
    "ex-06-same-zone": Expected(
        "decimals:2",
        "3ce0456b56a449b3f1e8b665278d5b14456c1cbeb34db4dd1c945fe60f0db638",
        "the month's total cost in USD with the app and its database in the same zone, "
        "to 2 decimals (cents)",
    ),
    "ex-06-standard-tier": Expected(
        ("decimals:2", "decimals:2"),
        "a2b3e7eb7c0e343df65033759a9d116c5d5075074e1346f183975ab0685fcb33",
        "the month's cost in USD on the Premium Tier and on the Standard Tier, in that "
        "order, to 2 decimals (cents)",
    ),
    "ex-07-nat-hours": Expected(
        "decimals:2",
        "456b5848862ef785ccc987dd1ac0c46b42d0dc87b47dd46c4e6ac696d1f6c500",
        "what the NAT gateways' hours cost in 2025, in USD to 2 decimals",
    ),
    "ex-07-share-of-bill": Expected(
        ("decimals:3", "text", "decimals:0"),
        "449712010f227d79e3e2a0b2e80916fe43207e5280705c86cbcb78b804b09f7f",
        "the data transfer share of December's bill as a fraction to 3 decimals, the "
        "best single fix named as in `scenarios`, and its "
        "December saving in whole USD, in that order",
    ),
    "ex-07-worst-day": Expected(
        ("date", "text"),
        "bbd2d42864d0691b5652b3bead4600e45f86a3754e44d481d3e479204148905b",
        'the day, as "YYYY-MM-DD", and the class of charge that made it, named as '
        '`classify_charges` names it (such as "internet_in"), in that order',
    ),
    "ex-08-api-server-says": Expected(
        ("text", "text"),
        "04c493835cce2866582c2e983a156d228c4e5bb84334cb8459777e5205601b15",
        "the field paths the two errors name, the lower-case pathType first, as texts "
        'such as "spec.rules[0].host"',
    ),
    "ex-08-api-v2": Expected(
        "text",
        "17be3b9805b3ce21633e4844e143ffb48bfd84a61e9eefee6c5d65f1c45f4447",
        'the pathType you choose, a word such as "Exact"',
    ),
    "ex-08-city-shops": Expected(
        "set of text",
        "f0373847308a3e2f1a38822720a9a51745fe813ac49c4e1d88c745b214168e7a",
        "the hosts of the requests that your wildcard rule "
        'serves, as a list such as ["example.com"]',
    ),
    "ex-08-predict-routes": Expected(
        "list of text",
        "b36ee6eec8eb555c3b61bcd8ccdecaf01d9b5eb917e84aff639e707b5d1e658a",
        'the backends of the five requests, in the order given, as "service:port" '
        'texts such as "api:8080"',
    ),
    "ex-09-canary-weight": Expected(
        "integer",
        "367beca43c8c5965631d05939ca26851e177ce93364521011315a9437a4e745e",
        "the weight of api-canary, a whole number such as 10",
    ),
    "ex-09-city-shops": Expected(
        "set of text",
        "be036b3ae35604cdd7361355e8857d460c6a1927b7cafacb280841608109294d",
        "the hosts of the requests that your new route "
        'serves, as a list such as ["example.com"]',
    ),
    "ex-09-not-attached": Expected(
        ("text", "text"),
        "ea3b61471ca6d1969d5ad28af105680c17421386b1f57edf412d0f9b987bc60c",
        "the reasons of the two Accepted conditions, in the "
        'order given, as texts such as "Accepted"',
    ),
    "ex-09-predict-routes": Expected(
        "list of text",
        "812efaa60cc925b0ca46f2c4cb1135db25858ad9754e071ae1135722cb35aa72",
        'the five answers, in the order given: a backend as "namespace/service:port" '
        'text such as "shop/api:8080", or a status code such as "404"',
    ),
    "ex-10-new-worker": Expected(
        ("boolean", "boolean", "boolean"),
        "e8a1f7dcc69450364459b4a081f6ea0a891f4dc1686ff972f501923173035f2d",
        "three answers, True or False: can the worker resolve names, can it call the "
        "api on 8080, can Prometheus scrape it on 9090",
    ),
    "ex-10-provider-callbacks": Expected(
        ("boolean", "boolean", "boolean"),
        "f9d0f14136b00f65af5258666cc3c09d94bc449e490b977e5ffc68b9b81e5e4c",
        "whether payments may reach 203.0.113.10 on port 8443, on 8449 and on 8450, as "
        "a list of True or False",
    ),
    "ex-10-scrape-the-db": Expected(
        "text",
        "25fd95b4eeaad36de979fc460a9a3342eb78534106a5cb7a9c1dc8edd02418a8",
        'the end that refuses: "source", "destination" or "both"',
    ),
    "ex-11-endpoint-break-even": Expected(
        "decimals:0",
        "000b2e28aa04d377dd94e18164a282e9a08ddbcefa837dfda6dc288a8d8d5e62",
        "the GB a month through the endpoints above which "
        "they pay for themselves, a whole number",
    ),
    "ex-11-local-policy": Expected(
        ("integer", "text"),
        "eaa3857e6a3ef95989b611d0750b9485a2d4a41505b200613f467026b6f2d12c",
        "the number of nodes that pass the health check and the source address a "
        'controller pod sees, "client" or "node", in that order',
    ),
    "ex-11-sender-pays": Expected(
        "decimals:2",
        "bfa4f3addc40409e855b290851e6d8375239fb0a508d2ed27b7a403031fa069e",
        "ingress-nginx's zone crossings in USD for a 30-day month "
        "under the sender-pays rule, to 2 decimals",
    ),
    "ex-11-spread-the-api": Expected(
        ("decimals:2", "decimals:2"),
        "bdcc65fcdd8ddfdbb1d1c65a2757d3623990d42831c16480dff4afeb7c16f7de",
        "the share of the us-east-1c frontend's requests that leave its zone with "
        "random choice and with PreferClose, in that order, as fractions to 2 decimals",
    ),
    "ex-12-buffer-size": Expected(
        ("integer", "decimals:1"),
        "8500196762b0f003eac4931bbbcd332e039cf8be53a7855534528084a2517876",
        "the smallest buffer K in packets and the mean delay then, in milliseconds to "
        "1 decimal, in that order",
    ),
    "ex-12-free-hours": Expected(
        ("decimals:2", "decimals:2"),
        "b595514ef44cdfd7860b204baaf5d8f9cee6a6179585ec40b64a85f2d6177722",
        "the hours of free bursting in a 28-day and in a "
        "31-day month, in that order, to 2 decimals",
    ),
    "ex-12-police-burst": Expected(
        ("decimals:0", "decimals:0"),
        "70d0f83820f1df07b3990e9c0121dfa6a35bdd0825f068ec1a57ede9e313dc9c",
        "the bytes of each burst that get through and the smallest bucket, in bytes, "
        "that lets the whole burst through, in that order, rounded to whole bytes",
    ),
    "ex-12-upgrade-date": Expected(
        ("text", "text"),
        "87d23563822e7fb2ad21fd4a66fca484cff1ade448e816fbb5d555be7e7f92d6",
        "the months to order the upgrade with 30 % headroom (log-linear trend) and "
        "with a linear trend (20 % headroom), in that order, "
        'as texts such as "2030-01"',
    ),
}
