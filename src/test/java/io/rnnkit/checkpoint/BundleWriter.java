package io.rnnkit.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TString;

/**
 * Writes tensor bundles with TensorFlow's own {@code SaveV2} and {@code MergeV2Checkpoints} ops, so
 * the reader is tested against files the real writer produces.
 */
public final class BundleWriter {
  private final Map<String, Function<Ops, Operand<?>>> tensors = new LinkedHashMap<>();
  private final Map<String, String> shapeAndSlices = new LinkedHashMap<>();

  /** Adds a tensor under {@code key}; {@code constant} builds it in the save graph. */
  public BundleWriter add(String key, Function<Ops, Operand<?>> constant) {
    tensors.put(key, constant);
    shapeAndSlices.put(key, "");
    return this;
  }

  /**
   * Adds one slice of a partitioned tensor, with a {@code SaveV2} slice spec such as {@code "4
   * 0,2"} (full shape 4, elements 0 to 1).
   */
  public BundleWriter addSlice(String key, String sliceSpec, Function<Ops, Operand<?>> constant) {
    tensors.put(key, constant);
    shapeAndSlices.put(key, sliceSpec);
    return this;
  }

  /** Writes a single-shard bundle at {@code prefix}, creating its directory. */
  public void save(Path prefix) {
    try {
      Files.createDirectories(prefix.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      session.runner().addTarget(saveOp(tf, prefix.toString())).run().close();
    }
  }

  /**
   * Writes a bundle at {@code prefix} with one data file per writer, the way Python's sharded saver
   * does: each part is saved under a temporary prefix and {@code MergeV2Checkpoints} renames the
   * data files to {@code prefix.data-0000K-of-0000N}.
   */
  public static void saveSharded(Path prefix, List<BundleWriter> shards) {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      List<String> parts = new ArrayList<>();
      Session.Runner runner = session.runner();
      for (int i = 0; i < shards.size(); i++) {
        String part = prefix + "_temp/part-" + i;
        parts.add(part);
        runner.addTarget(shards.get(i).saveOp(tf, part));
      }
      runner.run().close();
      try (TString partNames =
          TString.tensorOf(NdArrays.vectorOfObjects(parts.toArray(new String[0])))) {
        Op merge =
            tf.train.mergeV2Checkpoints(tf.constantOf(partNames), tf.constant(prefix.toString()));
        Result result = session.runner().addTarget(merge).run();
        result.close();
      }
    }
  }

  private Op saveOp(Ops tf, String prefix) {
    List<Operand<?>> values = new ArrayList<>();
    for (Function<Ops, Operand<?>> constant : tensors.values()) {
      values.add(constant.apply(tf));
    }
    try (TString names =
            TString.tensorOf(NdArrays.vectorOfObjects(tensors.keySet().toArray(new String[0])));
        TString slices =
            TString.tensorOf(
                NdArrays.vectorOfObjects(shapeAndSlices.values().toArray(new String[0])))) {
      return tf.train.save(
          tf.constant(prefix), tf.constantOf(names), tf.constantOf(slices), values);
    }
  }
}
