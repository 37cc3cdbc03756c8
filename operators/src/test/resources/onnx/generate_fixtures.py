#!/usr/bin/python3
"""Generates the ONNX fixtures of the scoring tests and their expected scores, independently of the Java code.

The graphs are built with onnx.helper (skl2onnx is not packaged for Debian), mimicking what the exporters emit:
Tribuo (MatMul/Add/Softmax, `input` -> `output`), skl2onnx for LogisticRegression (ai.onnx.ml LinearClassifier +
Normalizer + ZipMap, `output_label` / `output_probability`), onnxmltools-style `label` / `probabilities`.
The expected positive-class probabilities are computed by numpy from the same weights, never by ONNX Runtime.

Run from this directory with the Debian interpreter (python3-onnx, python3-numpy):

    /usr/bin/python3 generate_fixtures.py

It rewrites every *.onnx file and expected.json here; the output is deterministic (fixed seed).
"""

import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
FEATURES = 4
ROWS = 300
OPSETS = [helper.make_opsetid("", 13), helper.make_opsetid("ai.onnx.ml", 1)]

# One set of logistic-regression weights shared by the fixtures: z = x . W + B, p(positive) = sigmoid(z).
W = np.array([0.8, -1.2, 0.5, 2.0])
B = -0.3
# Preprocessing used by the STANDARDIZE expectation: x' = (x - SHIFT) / SCALE.
SHIFT = np.array([1.0, -2.0, 0.5, 3.0])
SCALE = np.array([2.0, 0.5, 4.0, 1.5])


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def f32(values):
    return np.asarray(values, dtype=np.float32)


def save(model, name):
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, name))


def float_input(name="input", width=FEATURES):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", width])


def weights(name, array):
    return helper.make_tensor(name, TensorProto.FLOAT, array.shape, f32(array).flatten().tolist())


def model(nodes, inputs, outputs, initializers, producer="sluice-fixtures"):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializers)
    return helper.make_model(graph, opset_imports=OPSETS, producer_name=producer)


def two_class_weights(w, b):
    """Tribuo's layout: W2 [features, 2] with column 0 the negative and column 1 the positive class, so that
    softmax(x . W2 + B2) = [1 - sigmoid(z), sigmoid(z)]."""
    w2 = np.stack([-w / 2, w / 2], axis=1)
    b2 = np.array([-b / 2, b / 2])
    return w2, b2


def tribuo_lr(name, w, b, features):
    w2, b2 = two_class_weights(w, b)
    nodes = [
        helper.make_node("MatMul", ["input", "W"], ["logits0"]),
        helper.make_node("Add", ["logits0", "B"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["output"], axis=1),
    ]
    save(
        model(
            nodes,
            [float_input(width=features)],
            [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 2])],
            [weights("W", w2), weights("B", b2)],
            producer="org.tribuo.onnx",
        ),
        name,
    )


def single_score():
    nodes = [
        helper.make_node("MatMul", ["input", "W"], ["z0"]),
        helper.make_node("Add", ["z0", "B"], ["z"]),
        helper.make_node("Sigmoid", ["z"], ["score"]),
    ]
    save(
        model(
            nodes,
            [float_input()],
            [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["batch", 1])],
            [weights("W", W.reshape(FEATURES, 1)), weights("B", np.array([B]))],
        ),
        "single_score.onnx",
    )


def raw_margin():
    """A [batch, 1] output that is a margin, not a probability: scores outside [0, 1]."""
    nodes = [
        helper.make_node("MatMul", ["input", "W"], ["z0"]),
        helper.make_node("Add", ["z0", "B"], ["margin"]),
    ]
    save(
        model(
            nodes,
            [float_input()],
            [helper.make_tensor_value_info("margin", TensorProto.FLOAT, ["batch", 1])],
            [weights("W", W.reshape(FEATURES, 1)), weights("B", np.array([B]))],
        ),
        "raw_margin.onnx",
    )


def linear_classifier(labels, label_attr):
    """skl2onnx's LogisticRegression (binary): one coefficient row per class, [-w, w] and [-b, b], logistic
    post-transform, then an L1 Normalizer. Returns the nodes producing `lc_label` and `lc_probabilities`."""
    # Row i of the coefficients belongs to labels[i]; the positive class (labels[positive]) gets +w.
    positive = 1 if label_attr != "reversed" else 0
    rows = [None, None]
    rows[positive] = (W, B)
    rows[1 - positive] = (-W, -B)
    coefficients = np.concatenate([rows[0][0], rows[1][0]])
    intercepts = np.array([rows[0][1], rows[1][1]])
    attrs = dict(
        coefficients=f32(coefficients).tolist(),
        intercepts=f32(intercepts).tolist(),
        multi_class=0,
        post_transform="LOGISTIC",
        domain="ai.onnx.ml",
    )
    if isinstance(labels[0], str):
        attrs["classlabels_strings"] = labels
    else:
        attrs["classlabels_ints"] = labels
    return [
        helper.make_node("LinearClassifier", ["input"], ["lc_label", "probability_tensor"], **attrs),
        helper.make_node(
            "Normalizer", ["probability_tensor"], ["lc_probabilities"], norm="L1", domain="ai.onnx.ml"
        ),
    ]


def seq_of_map(name, key_type):
    value = onnx.TypeProto()
    value.tensor_type.elem_type = TensorProto.FLOAT
    mapping = onnx.TypeProto()
    mapping.map_type.key_type = key_type
    mapping.map_type.value_type.CopyFrom(value)
    return helper.make_value_info(name, helper.make_sequence_type_proto(mapping))


def skl_zipmap(name, labels):
    strings = isinstance(labels[0], str)
    nodes = [
        *linear_classifier(labels, "plain"),
        helper.make_node("Identity", ["lc_label"], ["output_label"]),
        helper.make_node(
            "ZipMap",
            ["lc_probabilities"],
            ["output_probability"],
            domain="ai.onnx.ml",
            **({"classlabels_strings": labels} if strings else {"classlabels_int64s": labels}),
        ),
    ]
    label_type = TensorProto.STRING if strings else TensorProto.INT64
    save(
        model(
            nodes,
            [float_input()],
            [
                helper.make_tensor_value_info("output_label", label_type, ["batch"]),
                seq_of_map("output_probability", label_type),
            ],
            [],
            producer="skl2onnx",
        ),
        name,
    )


def skl_tensor(name, labels, label_name, probability_name, order):
    nodes = linear_classifier(labels, order)
    nodes += [
        helper.make_node("Identity", ["lc_label"], [label_name]),
        helper.make_node("Identity", ["lc_probabilities"], [probability_name]),
    ]
    save(
        model(
            nodes,
            [float_input()],
            [
                helper.make_tensor_value_info(label_name, TensorProto.INT64, ["batch"]),
                helper.make_tensor_value_info(probability_name, TensorProto.FLOAT, ["batch", 2]),
            ],
            [],
            producer="skl2onnx",
        ),
        name,
    )


def double_output():
    w2, b2 = two_class_weights(W, B)
    nodes = [
        helper.make_node("MatMul", ["input", "W"], ["logits0"]),
        helper.make_node("Add", ["logits0", "B"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["p"], axis=1),
        helper.make_node("Cast", ["p"], ["output"], to=TensorProto.DOUBLE),
    ]
    save(
        model(
            nodes,
            [float_input()],
            [helper.make_tensor_value_info("output", TensorProto.DOUBLE, ["batch", 2])],
            [weights("W", w2), weights("B", b2)],
        ),
        "double_output.onnx",
    )


def two_float_outputs():
    w2, b2 = two_class_weights(W, B)
    nodes = [
        helper.make_node("MatMul", ["input", "W"], ["logits0"]),
        helper.make_node("Add", ["logits0", "B"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
        helper.make_node("Identity", ["logits"], ["scores"]),
    ]
    save(
        model(
            nodes,
            [float_input()],
            [
                helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 2]),
                helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch", 2]),
            ],
            [weights("W", w2), weights("B", b2)],
        ),
        "two_float_outputs.onnx",
    )


def int64_input():
    w2, b2 = two_class_weights(W, B)
    nodes = [
        helper.make_node("Cast", ["input"], ["x"], to=TensorProto.FLOAT),
        helper.make_node("MatMul", ["x", "W"], ["logits0"]),
        helper.make_node("Add", ["logits0", "B"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["output"], axis=1),
    ]
    save(
        model(
            nodes,
            [helper.make_tensor_value_info("input", TensorProto.INT64, ["batch", FEATURES])],
            [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 2])],
            [weights("W", w2), weights("B", b2)],
        ),
        "int64_input.onnx",
    )


def two_inputs():
    w2, b2 = two_class_weights(W, B)
    nodes = [
        helper.make_node("Concat", ["a", "b"], ["x"], axis=1),
        helper.make_node("MatMul", ["x", "W"], ["logits0"]),
        helper.make_node("Add", ["logits0", "B"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["output"], axis=1),
    ]
    save(
        model(
            nodes,
            [float_input("a", 2), float_input("b", 2)],
            [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 2])],
            [weights("W", w2), weights("B", b2)],
        ),
        "two_inputs.onnx",
    )


def label_only():
    nodes = linear_classifier([0, 1], "plain")[:1]
    nodes[0].output[0] = "label"
    save(
        model(
            nodes,
            [float_input()],
            [helper.make_tensor_value_info("label", TensorProto.INT64, ["batch"])],
            [],
        ),
        "label_only.onnx",
    )


def nan_log():
    """p = sigmoid(log(x) . W + B): NaN for a row with a negative feature (the runtime-failure path)."""
    nodes = [
        helper.make_node("Log", ["input"], ["logx"]),
        helper.make_node("MatMul", ["logx", "W"], ["z0"]),
        helper.make_node("Add", ["z0", "B"], ["z"]),
        helper.make_node("Sigmoid", ["z"], ["score"]),
    ]
    save(
        model(
            nodes,
            [float_input()],
            [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["batch", 1])],
            [weights("W", W.reshape(FEATURES, 1)), weights("B", np.array([B]))],
        ),
        "nan_log.onnx",
    )


def main():
    rng = np.random.default_rng(20240611)
    # Rows written with 4 decimals; the scorer feeds them as float32 (the decimal read as a double, then cast,
    # as numpy does), and the expectations start from those float32 values. Spread so that
    # the scores cover (0, 1), near-saturated ones included.
    decimals = np.round(rng.normal(0.0, 1.5, size=(ROWS, FEATURES)), 4)
    x64 = f32(decimals).astype(np.float64)
    plain = sigmoid(x64 @ W + B)
    standardized_input = f32((x64 - SHIFT) / SCALE).astype(np.float64)
    standardized = sigmoid(standardized_input @ W + B)
    positive_rows = np.round(np.abs(decimals) + 0.1, 4)[:8]
    nan_log_expected = sigmoid(np.log(f32(positive_rows).astype(np.float64)) @ W + B)

    tribuo_lr("tribuo_lr.onnx", W, B, FEATURES)
    w15 = np.linspace(-1.5, 1.5, 15)
    tribuo_lr("tribuo_lr_15.onnx", w15, 0.25, 15)
    single_score()
    raw_margin()
    skl_zipmap("skl_zipmap_int.onnx", [0, 1])
    skl_zipmap("skl_zipmap_string.onnx", ["legit", "fraud"])
    skl_tensor("skl_tensor.onnx", [0, 1], "label", "probabilities", "plain")
    skl_tensor("skl_tensor_reversed.onnx", [1, 0], "output_label", "output_probability", "reversed")
    double_output()
    two_float_outputs()
    int64_input()
    two_inputs()
    label_only()
    nan_log()

    expected = {
        "comment": "Written by generate_fixtures.py: rows are read as float32; probabilities are numpy's "
        "sigmoid(x . w + b) in float64 from those float32 values, with w, b the weights every 4-feature LR "
        "fixture encodes; standardize.positive applies (x - shift) / scale (rounded to float32) first.",
        "features": FEATURES,
        "weights": W.tolist(),
        "bias": B,
        "rows": decimals.tolist(),
        "positive": plain.tolist(),
        "standardize": {"shift": SHIFT.tolist(), "scale": SCALE.tolist(), "positive": standardized.tolist()},
        "nanLog": {"rows": positive_rows.tolist(), "positive": nan_log_expected.tolist()},
        "margin": (x64 @ W + B).tolist(),
    }
    with open(os.path.join(HERE, "expected.json"), "w") as out:
        out.write(compact_json(expected))


def compact_json(value, indent=""):
    """JSON with one list of numbers per line, so the file stays small and readable."""
    if isinstance(value, dict):
        inner = indent + " "
        items = [f"{inner}{json.dumps(k)}: {compact_json(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}" + ("\n" if not indent else "")
    if isinstance(value, list) and value and isinstance(value[0], list):
        inner = indent + " "
        return "[\n" + ",\n".join(inner + json.dumps(v) for v in value) + "\n" + indent + "]"
    return json.dumps(value)


if __name__ == "__main__":
    main()
