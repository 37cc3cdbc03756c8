package dev.sluice.operators.scoring;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The class labels an ONNX graph declares in its {@code ai.onnx.ml} nodes, read straight from the
 * protobuf bytes: ONNX Runtime's Java API does not expose node attributes, and the labels are what
 * says which probability column (or map key) is which class.
 *
 * <p>{@link #classifier()} is the {@code classlabels_ints} / {@code classlabels_strings} of the
 * first {@code *Classifier} node (LinearClassifier, SVMClassifier, TreeEnsembleClassifier): the
 * column order of its probability tensor. {@link #zipMap()} is the {@code classlabels_int64s} /
 * {@code classlabels_strings} of the first ZipMap: the keys of its maps. Either is empty when the
 * graph has no such node (Tribuo, PyTorch). Only the top-level graph is read; integer labels are
 * given as decimal text.
 */
record OnnxClassLabels(List<String> classifier, List<String> zipMap) {
  private static final int MODEL_GRAPH = 7;
  private static final int GRAPH_NODE = 1;
  private static final int NODE_OP_TYPE = 4;
  private static final int NODE_ATTRIBUTE = 5;
  private static final int NODE_DOMAIN = 7;
  private static final int ATTRIBUTE_NAME = 1;
  private static final int ATTRIBUTE_INTS = 8;
  private static final int ATTRIBUTE_STRINGS = 9;
  private static final String ML_DOMAIN = "ai.onnx.ml";

  static final OnnxClassLabels NONE = new OnnxClassLabels(List.of(), List.of());

  /**
   * Reads the labels of a model that ONNX Runtime has already loaded (so the bytes are a valid
   * ModelProto); returns {@link #NONE} if the bytes cannot be parsed after all.
   */
  static OnnxClassLabels read(byte[] model) {
    try {
      return parse(model);
    } catch (RuntimeException malformed) {
      // ORT accepted the bytes, so this is a reader limit; labels are advisory, so fall back to
      // none.
      return NONE;
    }
  }

  private static OnnxClassLabels parse(byte[] model) {
    List<String> classifier = List.of();
    List<String> zipMap = List.of();
    Proto modelProto = new Proto(model, 0, model.length);
    while (modelProto.more()) {
      long tag = modelProto.varint();
      if (field(tag) != MODEL_GRAPH || wire(tag) != 2) {
        modelProto.skip(wire(tag));
        continue;
      }
      Proto graph = modelProto.message();
      while (graph.more()) {
        long graphTag = graph.varint();
        if (field(graphTag) != GRAPH_NODE || wire(graphTag) != 2) {
          graph.skip(wire(graphTag));
          continue;
        }
        Node node = Node.parse(graph.message());
        if (!ML_DOMAIN.equals(node.domain)) {
          continue;
        }
        if (classifier.isEmpty() && node.opType.endsWith("Classifier")) {
          classifier = node.labels("classlabels_ints", "classlabels_strings");
        } else if (zipMap.isEmpty() && node.opType.equals("ZipMap")) {
          zipMap = node.labels("classlabels_int64s", "classlabels_strings");
        }
      }
    }
    return new OnnxClassLabels(classifier, zipMap);
  }

  private static int field(long tag) {
    return (int) (tag >>> 3);
  }

  private static int wire(long tag) {
    return (int) (tag & 7);
  }

  /** One NodeProto: its op type, domain and the label attributes. */
  private static final class Node {
    String opType = "";
    String domain = "";
    final List<Attribute> attributes = new ArrayList<>();

    static Node parse(Proto proto) {
      Node node = new Node();
      while (proto.more()) {
        long tag = proto.varint();
        switch (field(tag)) {
          case NODE_OP_TYPE -> node.opType = proto.string();
          case NODE_DOMAIN -> node.domain = proto.string();
          case NODE_ATTRIBUTE -> node.attributes.add(Attribute.parse(proto.message()));
          default -> proto.skip(wire(tag));
        }
      }
      return node;
    }

    List<String> labels(String intsName, String stringsName) {
      for (Attribute attribute : attributes) {
        if (attribute.name.equals(intsName) && !attribute.ints.isEmpty()) {
          return attribute.ints.stream().map(String::valueOf).toList();
        }
        if (attribute.name.equals(stringsName) && !attribute.strings.isEmpty()) {
          return List.copyOf(attribute.strings);
        }
      }
      return List.of();
    }
  }

  /** One AttributeProto: name, repeated ints (packed or not) and repeated strings. */
  private static final class Attribute {
    String name = "";
    final List<Long> ints = new ArrayList<>();
    final List<String> strings = new ArrayList<>();

    static Attribute parse(Proto proto) {
      Attribute attribute = new Attribute();
      while (proto.more()) {
        long tag = proto.varint();
        int field = field(tag);
        if (field == ATTRIBUTE_NAME) {
          attribute.name = proto.string();
        } else if (field == ATTRIBUTE_INTS && wire(tag) == 0) {
          attribute.ints.add(proto.varint());
        } else if (field == ATTRIBUTE_INTS && wire(tag) == 2) {
          Proto packed = proto.message();
          while (packed.more()) {
            attribute.ints.add(packed.varint());
          }
        } else if (field == ATTRIBUTE_STRINGS) {
          attribute.strings.add(proto.string());
        } else {
          proto.skip(wire(tag));
        }
      }
      return attribute;
    }
  }

  /** A cursor over one protobuf message in a byte array (wire format only, no schema). */
  private static final class Proto {
    private final byte[] bytes;
    private int position;
    private final int end;

    Proto(byte[] bytes, int start, int end) {
      this.bytes = bytes;
      this.position = start;
      this.end = end;
    }

    boolean more() {
      return position < end;
    }

    long varint() {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        byte b = bytes[position++];
        value |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return value;
        }
      }
      throw new IllegalArgumentException("varint longer than 10 bytes at " + position);
    }

    Proto message() {
      int length = Math.toIntExact(varint());
      if (length < 0 || position + length > end) {
        throw new IllegalArgumentException("length " + length + " past the message end");
      }
      Proto inner = new Proto(bytes, position, position + length);
      position += length;
      return inner;
    }

    String string() {
      Proto inner = message();
      return new String(bytes, inner.position, inner.end - inner.position, StandardCharsets.UTF_8);
    }

    void skip(int wireType) {
      switch (wireType) {
        case 0 -> varint();
        case 1 -> position += 8;
        case 2 -> message();
        case 5 -> position += 4;
        default -> throw new IllegalArgumentException("wire type " + wireType);
      }
    }
  }
}
