package io.rnnkit.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rnnkit.config.TaskKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Writes the fixture SavedModels under {@code savedmodels/fixtures/<task>/1/} with their {@code
 * expected.json}: the inputs of a few calls and the outputs this code version gives. Run by {@code
 * scripts/make-fixtures.sh}; {@link FixtureCompatibilityTest} checks that later code still
 * reproduces them.
 */
public final class FixtureGenerator {
  private FixtureGenerator() {}

  static final List<List<String>> ROWS =
      List.of(List.of("the", "cat", "sat", "on", "the", "mat", "."), List.of("a", "zebra"));

  /** Usage: {@code FixtureGenerator OUTPUT_DIR} (normally {@code savedmodels/fixtures}). */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException(
          "usage: FixtureGenerator OUTPUT_DIR, got " + args.length + " arguments");
    }
    Path output = Path.of(args[0]);
    long seed = 101;
    for (TaskKind task : List.of(TaskKind.CLASSIFIER, TaskKind.TAGGER, TaskKind.LANGUAGE_MODEL)) {
      Path scratch = Files.createTempDirectory("rnnkit-fixture");
      Path base = output.resolve(fixtureName(task));
      Path export;
      try (TinyModels.Reference reference = new TinyModels.Reference(task, seed++)) {
        Path checkpoint = reference.save(scratch.resolve("checkpoint"));
        export =
            switch (task) {
              case CLASSIFIER ->
                  SavedModelExporter.exportClassifier(
                      reference.config,
                      TinyModels.VOCABULARY,
                      TinyModels.LABELS,
                      checkpoint,
                      base,
                      1);
              case TAGGER ->
                  SavedModelExporter.exportTagger(
                      reference.config,
                      TinyModels.VOCABULARY,
                      TinyModels.TAGS,
                      checkpoint,
                      base,
                      1);
              default ->
                  SavedModelExporter.exportLanguageModel(
                      reference.config, TinyModels.VOCABULARY, checkpoint, base, 1);
            };
      } finally {
        io.rnnkit.train.Checkpoints.deleteRecursively(scratch);
      }
      writeExpected(export);
      System.out.println("Fixture written to " + export);
    }
  }

  static String fixtureName(TaskKind task) {
    return task.name().toLowerCase().replace('_', '-');
  }

  private static void writeExpected(Path export) throws IOException {
    List<Map<String, Object>> calls = new ArrayList<>();
    try (ServingModel model = ServingModel.load(export)) {
      for (String key : model.signatureKeys()) {
        calls.add(call(model, key));
      }
    }
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(export.resolve("expected.json").toFile(), Map.of("calls", calls));
  }

  private static Map<String, Object> call(ServingModel model, String key) {
    Map<String, Object> call = new LinkedHashMap<>();
    call.put("signature", key);
    Map<String, Object> inputs = new LinkedHashMap<>();
    if (key.equals(ServingNames.STEP)) {
      inputs.put(ServingNames.TOKEN, List.of("cat", "zebra"));
    } else {
      inputs.put(ServingNames.TOKENS, ROWS);
    }
    call.put("inputs", inputs);
    try (FixtureInputs fed = FixtureInputs.of(model, key, inputs);
        ServingModel.Outputs outputs = model.run(key, fed.tensors())) {
      Map<String, Object> values = new LinkedHashMap<>();
      for (String alias : new java.util.TreeSet<>(model.signature(key).getOutputsMap().keySet())) {
        values.put(alias, describe(outputs.get(alias)));
      }
      call.put("outputs", values);
    }
    return call;
  }

  static Map<String, Object> describe(Tensor tensor) {
    List<Object> values = new ArrayList<>();
    if (tensor instanceof TFloat32 floats) {
      floats.scalars().forEach(s -> values.add(s.getFloat()));
    } else if (tensor instanceof TInt64 longs) {
      longs.scalars().forEach(s -> values.add(s.getLong()));
    } else if (tensor instanceof TString strings) {
      strings.scalars().forEach(s -> values.add(s.getObject()));
    } else {
      throw new IllegalArgumentException(
          "dtype must be float, int64 or string, got " + tensor.dataType());
    }
    Map<String, Object> description = new LinkedHashMap<>();
    description.put("shape", tensor.shape().asArray());
    description.put("values", values);
    return description;
  }

  /** Tensors of one fixture call; a step call starts from a zero state. */
  record FixtureInputs(Map<String, Tensor> tensors) implements AutoCloseable {

    @SuppressWarnings("unchecked")
    static FixtureInputs of(ServingModel model, String key, Map<String, Object> inputs) {
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      if (key.equals(ServingNames.STEP)) {
        List<String> tokens = (List<String>) inputs.get(ServingNames.TOKEN);
        long width =
            model
                .signature(key)
                .getInputsOrThrow(ServingNames.STATE)
                .getTensorShape()
                .getDim(1)
                .getSize();
        tensors.put(ServingNames.TOKEN, TString.vectorOf(tokens.toArray(String[]::new)));
        tensors.put(
            ServingNames.STATE,
            TFloat32.tensorOf(
                org.tensorflow.ndarray.NdArrays.ofFloats(Shape.of(tokens.size(), width))));
      } else {
        tensors.put(
            ServingNames.TOKENS,
            SavedModelExporterTest.tokens((List<List<String>>) inputs.get(ServingNames.TOKENS)));
      }
      return new FixtureInputs(tensors);
    }

    @Override
    public void close() {
      tensors.values().forEach(Tensor::close);
    }
  }
}
