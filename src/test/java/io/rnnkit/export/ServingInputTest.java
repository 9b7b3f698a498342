package io.rnnkit.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.TaskKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Tensor;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/** Bad input gets a clear error, the model keeps serving, and threads share one predictor. */
class ServingInputTest {

  @TempDir static Path folder;
  private static Path export;
  private static ServingModel model;
  private static Predictor predictor;

  @BeforeAll
  static void export() {
    try (TinyModels.Reference reference = new TinyModels.Reference(TaskKind.CLASSIFIER, 5)) {
      Path checkpoint = reference.save(folder.resolve("checkpoint"));
      export =
          SavedModelExporter.exportClassifier(
              reference.config,
              TinyModels.VOCABULARY,
              TinyModels.LABELS,
              checkpoint,
              folder.resolve("savedmodels/tiny"),
              1);
    }
    model = ServingModel.load(export);
    predictor = Predictor.load(export);
  }

  @AfterAll
  static void close() {
    predictor.close();
    model.close();
  }

  @Test
  void rawInput_badTensorsRejectedAndModelKeepsServing() {
    record Case(String name, Supplier<Map<String, Tensor>> inputs, String message) {}
    List<Case> cases =
        List.of(
            new Case(
                "wrong dtype",
                () -> Map.of("tokens", TInt32.tensorOf(org.tensorflow.ndarray.Shape.of(1, 2))),
                "dtype of 'tokens' must be DT_STRING, got DT_INT32"),
            new Case(
                "wrong rank",
                () -> Map.of("tokens", TString.vectorOf("the", "cat")),
                "rank of 'tokens' must be 2, got 1"),
            new Case(
                "batch sizes differ",
                () ->
                    Map.of(
                        "tokens",
                        SavedModelExporterTest.tokens(List.of(List.of("the"))),
                        "lengths",
                        TInt32.vectorOf(1, 1)),
                "batch size of 'tokens' must equal that of 'lengths' (2), got 1"),
            new Case(
                "length over T",
                () ->
                    Map.of(
                        "tokens",
                        SavedModelExporterTest.tokens(List.of(List.of("the", "cat"))),
                        "lengths",
                        TInt32.vectorOf(3)),
                "lengths[0] must be in [0, 2]"),
            new Case(
                "negative length",
                () ->
                    Map.of(
                        "tokens",
                        SavedModelExporterTest.tokens(List.of(List.of("the"))),
                        "lengths",
                        TInt32.vectorOf(-2)),
                "got -2"),
            new Case(
                "lengths dtype",
                () ->
                    Map.of(
                        "tokens",
                        SavedModelExporterTest.tokens(List.of(List.of("the"))),
                        "lengths",
                        TInt64.vectorOf(1)),
                "dtype of 'lengths' must be DT_INT32, got DT_INT64"),
            new Case(
                "missing tokens",
                () -> Map.of("lengths", TInt32.vectorOf(1)),
                "input 'tokens' of signature serving_default is missing"),
            new Case(
                "unknown input",
                () -> Map.of("words", TString.vectorOf("the")),
                "input must be one of [lengths, tokens] of signature serving_default, got 'words'"),
            new Case(
                "empty batch",
                () -> Map.of("tokens", SavedModelExporterTest.tokens(List.of())),
                "batch size must be at least 1, got 0"));
    float[] before = probabilities();
    for (Case badInput : cases) {
      Map<String, Tensor> inputs = badInput.inputs().get();
      try {
        IllegalArgumentException error =
            assertThrows(
                IllegalArgumentException.class,
                () -> model.run(ServingNames.SERVING_DEFAULT, inputs).close(),
                badInput.name());
        assertTrue(
            error.getMessage().contains(badInput.message()),
            badInput.name() + ": " + error.getMessage());
      } finally {
        inputs.values().forEach(Tensor::close);
      }
      assertArrayEquals(before, probabilities(), "serves after " + badInput.name());
    }
    IllegalArgumentException signature =
        assertThrows(IllegalArgumentException.class, () -> model.run("predict", Map.of()));
    assertTrue(
        signature
            .getMessage()
            .contains("signature must be one of [serving_default], got 'predict'"),
        signature.getMessage());
  }

  @Test
  void predictor_badRowsRejectedAndPredictorKeepsServing() {
    record Case(String name, List<List<String>> rows, String message) {}
    List<List<String>> withNull = new ArrayList<>();
    withNull.add(java.util.Arrays.asList("the", null));
    List<Case> cases =
        List.of(
            new Case("empty batch", List.of(), "the batch is empty"),
            new Case("empty row", List.of(List.of("cat"), List.of()), "row 1 has no tokens"),
            new Case("null token", withNull, "row 0 contains a null token at 1"),
            new Case("empty token", List.of(List.of("the", "")), "row 0 contains an empty token"));
    float[] before = probabilities();
    for (Case badInput : cases) {
      IllegalArgumentException error =
          assertThrows(
              IllegalArgumentException.class,
              () -> predictor.predict(badInput.rows()),
              badInput.name());
      assertTrue(
          error.getMessage().contains(badInput.message()),
          badInput.name() + ": " + error.getMessage());
      assertArrayEquals(before, probabilities(), "serves after " + badInput.name());
    }
    Predictor.Prediction longRow =
        predictor.predict(List.of(Collections.nCopies(20, "cat"))).get(0);
    assertTrue(longRow.truncated(), "a row over max_length is truncated");
    assertArrayEquals(
        predictor
            .predict(List.of(Collections.nCopies(TinyModels.MAX_LENGTH, "cat")))
            .get(0)
            .probabilities(),
        longRow.probabilities(),
        "a truncated row reads its first max_length tokens");
  }

  @Test
  void predictor_wrongTaskRejected() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> TaggerPredictor.load(export));
    assertTrue(
        error.getMessage().contains("must be a TAGGER, got a CLASSIFIER"), error.getMessage());
  }

  @Test
  void predictor_eightThreadsMatchOneThread() throws Exception {
    List<List<List<String>>> batches = new ArrayList<>();
    java.util.Random random = new java.util.Random(7);
    for (int b = 0; b < 32; b++) {
      List<List<String>> rows = new ArrayList<>();
      for (int row = 0; row < 1 + random.nextInt(5); row++) {
        List<String> tokens = new ArrayList<>();
        for (int t = 0; t < 1 + random.nextInt(8); t++) {
          tokens.add(TinyModels.VOCABULARY.get(2 + random.nextInt(7)));
        }
        rows.add(tokens);
      }
      batches.add(rows);
    }
    List<List<Predictor.Prediction>> sequential = new ArrayList<>();
    for (List<List<String>> rows : batches) {
      sequential.add(predictor.predict(rows));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<List<Predictor.Prediction>>> futures = new ArrayList<>();
      for (int repeat = 0; repeat < 4; repeat++) {
        for (List<List<String>> rows : batches) {
          futures.add(pool.submit(() -> predictor.predict(rows)));
        }
      }
      for (int i = 0; i < futures.size(); i++) {
        List<Predictor.Prediction> expected = sequential.get(i % batches.size());
        List<Predictor.Prediction> actual = futures.get(i).get();
        assertEquals(expected.size(), actual.size(), "rows of call " + i);
        for (int row = 0; row < expected.size(); row++) {
          assertArrayEquals(
              expected.get(row).probabilities(),
              actual.get(row).probabilities(),
              "call " + i + " row " + row);
        }
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void servingModel_closedModelRejectsCalls() {
    ServingModel closed = ServingModel.load(export);
    closed.close();
    closed.close();
    try (TString tokens = SavedModelExporterTest.tokens(List.of(List.of("cat")))) {
      IllegalStateException error =
          assertThrows(
              IllegalStateException.class,
              () -> closed.run(ServingNames.SERVING_DEFAULT, Map.of("tokens", tokens)));
      assertTrue(error.getMessage().contains("is closed"), error.getMessage());
    }
  }

  private static float[] probabilities() {
    return predictor.predict(List.of(List.of("the", "cat", "sat"))).get(0).probabilities();
  }
}
