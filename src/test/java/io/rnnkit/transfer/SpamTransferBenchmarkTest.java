package io.rnnkit.transfer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.TaskKind;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.Example;
import io.rnnkit.model.ModelConfigs;
import io.rnnkit.train.GroupSchedule;
import io.rnnkit.train.ModelSession;
import io.rnnkit.train.TrainingConfigs;
import io.rnnkit.transfer.SpamTransferBenchmark.Encoder;
import io.rnnkit.transfer.SpamTransferBenchmark.LmOptimizer;
import io.rnnkit.transfer.SpamTransferBenchmark.ModelSize;
import io.rnnkit.transfer.SpamTransferBenchmark.Probabilities;
import io.rnnkit.transfer.SpamTransferBenchmark.Recipe;
import io.rnnkit.transfer.SpamTransferBenchmark.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** Epoch counts, recipe parsing, splits and schedules of the spam transfer benchmark. */
class SpamTransferBenchmarkTest {

  @Test
  void epochs_atLeastOnePerLayerGroup() {
    assertEquals(10, SpamTransferBenchmark.epochs(50), "small sets are capped at 10 epochs");
    assertEquals(10, SpamTransferBenchmark.epochs(200), "200 mails: 2000 / 200");
    assertEquals(3, SpamTransferBenchmark.epochs(1000), "1000 mails: raised from 2 to 3");
    assertEquals(3, SpamTransferBenchmark.epochs(4837), "all mails: 3");
    assertDoesNotThrow(
        () -> Unfreezing.GRADUAL.requireEveryGroupTrains(3, SpamTransferBenchmark.epochs(4837)),
        "gradual unfreezing of embedding, LSTM and head reaches the embedding");
  }

  @Test
  void recipe_parsesEachPart() {
    Recipe recipe = Recipe.parse("0.01:2.6:GRADUAL");
    assertEquals(0.01f, recipe.peakRate(), "peak rate");
    assertEquals(2.6f, recipe.factor(), "factor");
    assertEquals(Unfreezing.GRADUAL, recipe.unfreezing(), "unfreezing");
    assertTrue(recipe.slanted(), "slanted triangular by default");
    assertFalse(Recipe.parse("0.003:1:HEAD_ONLY:constant").slanted(), "constant rate");
    assertNull(Recipe.parse("-"), "- skips the arm");
  }

  @Test
  void recipe_invalidFailsWithValue() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> Recipe.parse("0.01:NONE"));
    assertEquals(
        "recipe must be PEAK_RATE:FACTOR:UNFREEZING[:constant][:epochs=N][:dropout=RATE]"
            + "[:embedding=SCALE][:embedding-only][:rescale][:head=UNITS][:lm=WEIGHT], for example"
            + " 0.01:1:NONE, got 0.01:NONE",
        error.getMessage(),
        "the message shows the format and the value");
    assertThrows(
        IllegalArgumentException.class,
        () -> Recipe.parse("0.01:1:NONE:epochs"),
        "an option without a value");
    assertThrows(
        IllegalArgumentException.class,
        () -> Recipe.parse("0.01:1:NONE:momentum=0.9"),
        "an unknown option");
  }

  @Test
  void recipe_parsesOptions() {
    Recipe recipe = Recipe.parse("0.02:2.6:HEAD_ONLY:constant:epochs=30:dropout=0.3:embedding=0");
    assertFalse(recipe.slanted(), "constant rate");
    assertEquals(30, recipe.epochs(), "epochs");
    assertEquals(0.3f, recipe.dropout(), "dropout");
    assertEquals(0f, recipe.embeddingScale(), "embedding scale");
    assertFalse(recipe.embeddingOnly(), "the whole encoder is loaded by default");
    assertTrue(Recipe.parse("0.003:1:NONE:embedding-only").embeddingOnly(), "embedding only");
    assertTrue(Recipe.parse("0.01:1:NONE:rescale").rescaleEmbedding(), "rescaled embedding");
    assertEquals(50, Recipe.parse("0.01:1:NONE:head=50").headHidden(), "hidden head layer");
    assertEquals(0.3f, Recipe.parse("0.01:1:NONE:lm=0.3").lmLossWeight(), "auxiliary loss");
    Recipe plain = Recipe.parse("0.01:1:NONE");
    assertEquals(0, plain.epochs(), "epochs default to the size rule");
    assertEquals(0f, plain.dropout(), "no dropout by default");
    assertEquals(0f, plain.lmLossWeight(), "no auxiliary loss by default");
    assertEquals(1f, plain.embeddingScale(), "the embedding follows the schedule by default");
    assertEquals(0, plain.headHidden(), "no hidden head layer by default");
  }

  @Test
  void embeddingScaled_scalesOrFreezesBottomGroup() {
    GroupSchedule base = GroupSchedule.constant(0.01f, 3);
    float[] rates = new SpamTransferBenchmark.EmbeddingScaled(base, 0.1f).rates(5, 0);
    assertEquals(0.001f, rates[0], 1e-9f, "embedding rate is scaled");
    assertEquals(0.01f, rates[1], "LSTM rate unchanged");
    assertEquals(0.01f, rates[2], "head rate unchanged");
    boolean[] frozen = new SpamTransferBenchmark.EmbeddingScaled(base, 0f).enabled(0);
    assertFalse(frozen[0], "scale 0 freezes the embedding");
    assertTrue(frozen[1], "the LSTM still trains");
    assertTrue(frozen[2], "the head still trains");
  }

  @Test
  void split_holdsValidationOutOfTraining() {
    List<Example> pool = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      pool.add(new Example(i, List.of("w"), "ham", null));
    }
    SpamTransferBenchmark.Split split = SpamTransferBenchmark.Split.of(pool, 200, 1, 500);
    assertEquals(200, split.train().size(), "training mails");
    assertEquals(500, split.validation().size(), "validation mails");
    Set<Long> trainIds = new HashSet<>();
    split.train().forEach(mail -> trainIds.add(mail.id()));
    assertTrue(
        split.validation().stream().noneMatch(mail -> trainIds.contains(mail.id())),
        "no validation mail is a training mail");
    SpamTransferBenchmark.Split larger = SpamTransferBenchmark.Split.of(pool, 500, 1, 500);
    assertEquals(
        split.train(), larger.train().subList(0, 200), "larger sets extend the smaller ones");
    assertEquals(split.validation(), larger.validation(), "one validation split per seed");
    assertTrue(
        SpamTransferBenchmark.Split.of(pool, 501, 1, 500).validation().isEmpty(),
        "no validation split where it would overlap the training mails");
  }

  @Test
  void bucketBoundaries_followMaxTokens() {
    assertEquals(
        List.of(25, 50, 75), SpamTransferBenchmark.bucketBoundaries(100), "100 tokens per mail");
    assertEquals(
        List.of(25, 50, 75, 100, 150, 200, 250),
        SpamTransferBenchmark.bucketBoundaries(300),
        "300 tokens per mail");
  }

  @Test
  void latestSavedEpoch_findsLastBelowTarget(@TempDir Path out) throws IOException {
    ModelSize size = ModelSize.parse("32x64");

    assertEquals(0, SpamTransferBenchmark.latestSavedEpoch(out, size, 400, 4), "nothing saved");

    for (int epoch : new int[] {1, 2, 5}) {
      Path index =
          SpamTransferBenchmark.lmFolder(out, size, 400, epoch, 0)
              .resolve("checkpoint/variables.index");
      Files.createDirectories(index.getParent());
      Files.write(index, new byte[0]);
    }

    assertEquals(2, SpamTransferBenchmark.latestSavedEpoch(out, size, 400, 4), "epochs 1 and 2");
    assertEquals(1, SpamTransferBenchmark.latestSavedEpoch(out, size, 400, 2), "below 2");
    assertEquals(0, SpamTransferBenchmark.latestSavedEpoch(out, size, 100, 4), "other cut");
    assertEquals(
        0,
        SpamTransferBenchmark.latestSavedEpoch(out, ModelSize.DEFAULT, 400, 4),
        "other model size");
  }

  @Test
  void lmFolder_namesSizeCutAndEpochs() {
    Path out = Path.of("runs");

    assertEquals(
        out.resolve("spam-lm-e4"),
        SpamTransferBenchmark.lmFolder(out, ModelSize.DEFAULT, 100, 4, 0),
        "defaults keep the short name");
    assertEquals(
        out.resolve("spam-lm-s128x256-t400-e3-m1"),
        SpamTransferBenchmark.lmFolder(out, ModelSize.parse("128x256"), 400, 3, 1),
        "every part named");
    assertEquals(
        out.resolve("spam-lm-s64x128x40000-t1000-e3"),
        SpamTransferBenchmark.lmFolder(out, ModelSize.parse("64x128x40000"), 1000, 3, 0),
        "vocabulary limit named");
    assertEquals(
        out.resolve("spam-lm-s64x128x20000x2-t1000-e3"),
        SpamTransferBenchmark.lmFolder(out, ModelSize.parse("64x128x20000x2"), 1000, 3, 0),
        "layers named with the vocabulary limit");
    assertEquals(
        ModelSize.DEFAULT, ModelSize.parse("64x128x20000x1"), "one layer is the default model");
    assertThrows(IllegalArgumentException.class, () -> ModelSize.parse("128"));
    assertThrows(IllegalArgumentException.class, () -> ModelSize.parse("64x128x20000x2x1"));
  }

  @Test
  void lmRoot_separatesOtherBrownCounts() {
    Path out = Path.of("runs");
    assertEquals(out, SpamTransferBenchmark.lmRoot(out, 200000), "default count");
    assertEquals(out.resolve("brown-1000000"), SpamTransferBenchmark.lmRoot(out, 1000000));
  }

  @Test
  void encoder_parsesEveryKindAndRejectsOthers() {
    assertEquals(Encoder.FORWARD, Encoder.parse("forward"), "forward");
    assertEquals(Encoder.BIDIRECTIONAL, Encoder.parse("bidirectional"), "bidirectional");
    assertEquals(Encoder.ENSEMBLE, Encoder.parse("ensemble"), "ensemble");
    assertThrows(IllegalArgumentException.class, () -> Encoder.parse("backward"));
  }

  @Test
  void lmOptimizer_sgdModelsLiveApart() {
    Path root = Path.of("runs");

    assertEquals(root, LmOptimizer.parse("adam").folder(root), "Adam keeps the folder");
    assertEquals(root.resolve("sgd"), LmOptimizer.parse("sgd").folder(root), "SGD below it");
    assertEquals(20f, LmOptimizer.SGD.training().getLearningRate(), "SGD rate");
    assertEquals(0.003f, LmOptimizer.ADAM.training().getLearningRate(), "Adam rate");
    assertThrows(IllegalArgumentException.class, () -> LmOptimizer.parse("adagrad"));
  }

  @Test
  void reversed_readsMailsBackwards() {
    List<Example> mails =
        List.of(
            new Example(7, List.of("a", "b", "c"), "spam", null),
            new Example(9, List.of("d"), "ham", null));

    List<Example> reversed = SpamTransferBenchmark.reversed(mails);

    assertEquals(new Example(7, List.of("c", "b", "a"), "spam", null), reversed.get(0));
    assertEquals(new Example(9, List.of("d"), "ham", null), reversed.get(1));
    assertEquals(List.of("a", "b", "c"), mails.get(0).tokens(), "the input is left alone");
  }

  @Test
  void ensemble_averagesProbabilitiesBeforeTheArgMax() {
    List<String> labels = List.of("ham", "spam");
    List<Example> test =
        List.of(
            new Example(1, List.of("x"), "spam", null), new Example(2, List.of("y"), "ham", null));
    // Alone, each classifier gets one of the two mails wrong; averaged, both are right:
    // (0.4 + 0.9) / 2 = 0.65 spam for mail 1 and (0.45 + 0.7) / 2 = 0.575 ham for mail 2.
    Probabilities forward =
        new Probabilities(
            List.of(), List.of(new float[] {0.6f, 0.4f}, new float[] {0.45f, 0.55f}), 0.2);
    Probabilities backward =
        new Probabilities(
            List.of(), List.of(new float[] {0.1f, 0.9f}, new float[] {0.7f, 0.3f}), 0.4);

    Run alone = Run.of(forward, List.of(), test, labels);
    Run both = Run.of(forward.averagedWith(backward), List.of(), test, labels);

    assertEquals(0.0, alone.test().accuracy(), 1e-12, "forward alone misses both");
    assertEquals(1.0, both.test().accuracy(), 1e-12, "the average gets both");
    assertEquals(0.3, both.lastLoss(), 1e-12, "mean of the two losses");
    assertTrue(Double.isNaN(both.validationAccuracy()), "no validation mails");
  }

  @Test
  void cell_printsDashForUnmeasuredValidation() {
    assertEquals("-", SpamTransferBenchmark.cell(Double.NaN), "no validation mails");
    assertEquals("0.9884", SpamTransferBenchmark.cell(0.98841), "four decimals");
  }

  @Test
  void rescaleEmbedding_matchesInitialRmsKeepingDirections() {
    ModelConfig config =
        ModelConfigs.withDefaults(
            ModelConfig.newBuilder()
                .setTask(TaskKind.LANGUAGE_MODEL)
                .setEmbeddingSize(2)
                .setHiddenSize(3)
                .build());
    try (ModelSession model =
        ModelSession.create(
            config, TrainingConfigs.withDefaults(TrainingConfig.newBuilder().build()), 3)) {
      Variable<TFloat32> embeddings = model.store().variables().get("embedding/embeddings");
      Ops tf = model.ops();
      var set = tf.assign(embeddings, tf.constant(new float[][] {{3, 4}, {0, 0}, {-6, 8}}));
      var session = model.start();
      session.runner().addTarget(set).run();
      SpamTransferBenchmark.rescaleEmbedding(model);
      float[] values = new float[6];
      try (var result = session.runner().fetch(embeddings).run()) {
        TFloat32 tensor = (TFloat32) result.get(0);
        for (int i = 0; i < 6; i++) {
          values[i] = tensor.getFloat(i / 2, i % 2);
        }
      }
      // Mean square of (3, 4, 0, 0, -6, 8) is 125 / 6; every value is scaled by the same factor.
      double factor = SpamTransferBenchmark.INITIAL_EMBEDDING_RMS / Math.sqrt(125.0 / 6);
      float[] want = {3, 4, 0, 0, -6, 8};
      for (int i = 0; i < 6; i++) {
        assertEquals(want[i] * factor, values[i], 1e-6, "value " + i + " scaled by " + factor);
      }
    }
  }
}
