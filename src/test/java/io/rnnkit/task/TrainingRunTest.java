package io.rnnkit.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.config.ModelConfig;
import io.rnnkit.config.RecurrentKernel;
import io.rnnkit.config.ScheduleConfig;
import io.rnnkit.config.ScheduleKind;
import io.rnnkit.config.TrainingConfig;
import io.rnnkit.data.BpttLanes;
import io.rnnkit.data.Example;
import io.rnnkit.data.TinyCorpus;
import io.rnnkit.data.Vocabulary;
import io.rnnkit.train.Checkpoints;
import io.rnnkit.train.EventFiles;
import io.rnnkit.train.RunFolder;
import io.rnnkit.train.RunOptions;
import io.rnnkit.train.TrainerState;
import io.rnnkit.train.TrainingPass;
import io.rnnkit.train.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;

/** Resume, determinism, skipped updates and run outputs on a tiny language model. */
class TrainingRunTest {

  private static final ModelConfig MODEL =
      ModelConfig.newBuilder().setEmbeddingSize(8).setHiddenSize(12).setDropout(0.1f).build();
  private static final TrainingConfig TRAINING =
      TrainingConfig.newBuilder()
          .setLearningRate(0.02f)
          .setBatchSize(4)
          .setBpttSteps(6)
          .setClipNorm(5f)
          .setSeed(7)
          .setEpochs(2)
          .setKeepCheckpoints(100)
          .setCheckpointEverySteps(4)
          .setSchedule(
              ScheduleConfig.newBuilder().setKind(ScheduleKind.WARMUP_COSINE).setWarmupSteps(3))
          .build();

  @TempDir Path folder;

  private final List<Example> examples = TinyCorpus.examples(60, 1);
  private final Vocabulary vocabulary = TinyCorpus.vocabulary(examples);
  private final int[][] train = TinyCorpus.stream(examples, vocabulary);
  private final int[][] validation = TinyCorpus.stream(TinyCorpus.examples(20, 2), vocabulary);

  @Test
  void resume_midEpochEndsBitIdentical() throws Exception {
    Path full = folder.resolve("full");
    try (LanguageModelTask lm = LanguageModelTask.create(MODEL, TRAINING, vocabulary)) {
      lm.fit(train[0], train[1], validation[0], validation[1], options(full));
    }
    RunFolder fullRun = new RunFolder(full);
    List<Path> checkpoints = fullRun.checkpoints();
    Path middle = middleOfSecondEpoch(checkpoints);

    Path resumed = folder.resolve("resumed");
    copy(middle, new RunFolder(resumed).checkpoint(RunFolder.stepOf(middle)));
    RunOptions quiet = options(resumed).withResume(true);
    RunOptions withEvents =
        new RunOptions(
            quiet.folder(),
            quiet.epochs(),
            quiet.patience(),
            quiet.keepCheckpoints(),
            quiet.checkpointEverySteps(),
            quiet.resume(),
            quiet.logIntervalSeconds(),
            quiet.progress(),
            true,
            quiet.plot(),
            quiet.restoreBest());
    try (LanguageModelTask lm = LanguageModelTask.create(MODEL, TRAINING, vocabulary)) {
      TrainingRun.Outcome outcome =
          lm.fit(train[0], train[1], validation[0], validation[1], withEvents);
      assertEquals(1, outcome.epochs().size(), "the resumed run finishes the second epoch only");
    }
    List<Long> restarts = new ArrayList<>();
    try (Stream<Path> files = Files.list(resumed.resolve(RunFolder.TENSORBOARD))) {
      for (Path file : files.toList()) {
        EventFiles.read(file).stream()
            .filter(Event::hasSessionLog)
            .forEach(event -> restarts.add(event.getStep()));
      }
    }
    assertEquals(
        List.of(RunFolder.stepOf(middle) + 1),
        restarts,
        "the resumed run marks a restart after the checkpoint's step for TensorBoard");
    Path last = checkpoints.get(checkpoints.size() - 1);
    Path resumedLast = new RunFolder(resumed).latestCheckpoint().orElseThrow();
    assertEquals(last.getFileName(), resumedLast.getFileName(), "both runs end at the same step");
    assertArrayEquals(
        Files.readAllBytes(last.resolve("variables.data-00000-of-00001")),
        Files.readAllBytes(resumedLast.resolve("variables.data-00000-of-00001")),
        "weights, optimizer slots and global_step after the resume equal the full run's");
    TrainerState expected = RunFolder.readState(last);
    TrainerState actual = RunFolder.readState(resumedLast);
    assertEquals(expected.bestMetric(), actual.bestMetric(), "final validation perplexity");
  }

  private static Path middleOfSecondEpoch(List<Path> checkpoints) {
    for (Path checkpoint : checkpoints) {
      TrainerState state = RunFolder.readState(checkpoint);
      if (state.epoch() == 1 && state.positionInEpoch() > 0) {
        assertTrue(
            Files.isRegularFile(checkpoint.resolve(RunFolder.CARRIED_STATE)),
            "a mid-epoch LM checkpoint stores the carried state");
        return checkpoint;
      }
    }
    throw new AssertionError("no mid-epoch checkpoint in the second epoch among " + checkpoints);
  }

  @Test
  void sameSeed_sameLossCurve() {
    assertEquals(losses(), losses(), "two runs with seed 7 give identical losses step by step");
  }

  private List<Double> losses() {
    try (LanguageModelTask lm = LanguageModelTask.create(MODEL, TRAINING, vocabulary)) {
      List<Double> losses = new ArrayList<>();
      TrainingPass pass = trainerPass(lm);
      while (pass.hasNext()) {
        losses.add(pass.next());
      }
      assertTrue(losses.size() >= 5, "enough steps to compare: " + losses.size());
      return losses;
    }
  }

  private TrainingPass trainerPass(LanguageModelTask lm) {
    return lm.trainer().startPass(new BpttLanes(train[0], train[1], 4), 6, 0);
  }

  @Test
  void nanBatch_skippedWithVariablesUnchanged() {
    try (LanguageModelTask lm = LanguageModelTask.create(MODEL, TRAINING, vocabulary)) {
      int poisoned = vocabulary.id("goal");
      Variables.poisonRow(lm.session(), "embedding/embeddings", poisoned);
      int[] all = new int[] {poisoned, 2, 3, 4, 5, 6, 7, 8};
      TrainingPass pass = lm.trainer().startPass(new BpttLanes(all, null, 1), 6, 1);
      Map<String, float[]> before = Variables.snapshot(lm.session());
      double loss = pass.next();
      assertTrue(Double.isNaN(loss), "a window with the NaN embedding row has a NaN loss: " + loss);
      Map<String, float[]> after = Variables.snapshot(lm.session());
      assertEquals(before.keySet(), after.keySet(), "variable names");
      for (String name : before.keySet()) {
        assertArrayEquals(before.get(name), after.get(name), name + " is bit-identical");
      }
      assertEquals(1, lm.skippedSteps(), "one skipped update");

      int[] clean =
          java.util.stream.IntStream.range(2, vocabulary.size())
              .filter(id -> id != poisoned)
              .toArray();
      lm.trainer().startPass(new BpttLanes(clean, null, 1), 6, 1).next();
      Map<String, float[]> trained = Variables.snapshot(lm.session());
      assertFalse(
          java.util.Arrays.equals(after.get("lstm/kernel"), trained.get("lstm/kernel")),
          "a clean window after the skipped one is applied");
    }
  }

  @Test
  void repeatedNanSteps_stopRunAndKeepCheckpoint() throws Exception {
    Path run = folder.resolve("run");
    RunOptions options =
        new RunOptions(
            run, 2, 0, 3, 0, false, 10, RunOptions.ProgressMode.LOG, false, false, false);
    try (LanguageModelTask lm = LanguageModelTask.create(MODEL, TRAINING, vocabulary)) {
      TrainingRun.Job job = poisonedInSecondEpoch(lm);
      var error =
          assertThrows(
              IllegalStateException.class,
              () -> new TrainingRun(job, options).run(),
              "five NaN steps in a row stop the run");
      assertTrue(error.getMessage().contains("5 consecutive updates"), error.getMessage());
      Path checkpoint = new RunFolder(run).latestCheckpoint().orElseThrow();
      assertTrue(error.getMessage().contains(checkpoint.toString()), error.getMessage());
      assertEquals(
          List.of(checkpoint),
          new RunFolder(run).checkpoints(),
          "only the first epoch's checkpoint");
      assertEquals(
          1, RunFolder.readState(checkpoint).epoch(), "the checkpoint is the end of epoch 1");
      assertEquals(5, lm.skippedSteps(), "skipped updates");
    }
  }

  /** Returns a job that sets every embedding row to NaN when the second epoch starts. */
  private TrainingRun.Job poisonedInSecondEpoch(LanguageModelTask lm) {
    return new TrainingRun.Job() {
      @Override
      public io.rnnkit.train.ModelSession session() {
        return lm.session();
      }

      @Override
      public TrainingPass startEpoch(int epoch) {
        if (epoch == 1) {
          for (int row = 0; row < vocabulary.size(); row++) {
            Variables.poisonRow(lm.session(), "embedding/embeddings", row);
          }
        }
        return trainerPass(lm);
      }

      @Override
      public TrainingRun.Validation validate() {
        return new TrainingRun.Validation(
            "perplexity",
            lm.evaluate(validation[0], validation[1]).perplexity(),
            io.rnnkit.train.MetricGoal.MINIMIZE,
            Map.of());
      }

      @Override
      public long step() {
        return lm.trainer().step();
      }

      @Override
      public void resumeAt(long step) {
        lm.trainer().resumeAt(step);
      }

      @Override
      public io.rnnkit.train.LearningRateSchedule schedule() {
        return lm.trainer().schedule();
      }
    };
  }

  @Test
  void runFolder_hasMetricsEventsAndPlot() throws Exception {
    Path run = folder.resolve("run");
    Path outcomeBest;
    RunOptions options =
        new RunOptions(run, 2, 0, 1, 0, false, 1e-6, RunOptions.ProgressMode.LOG, true, true, true);
    try (LanguageModelTask lm = LanguageModelTask.create(MODEL, TRAINING, vocabulary)) {
      TrainingRun.Outcome outcome =
          lm.fit(train[0], train[1], validation[0], validation[1], options);
      assertTrue(outcome.bestCheckpoint().isPresent(), "a best checkpoint");
      outcomeBest = outcome.bestCheckpoint().get();
    }
    List<String> lines = Files.readAllLines(run.resolve(RunFolder.METRICS));
    assertEquals(
        2, lines.stream().filter(l -> l.contains("\"kind\":\"epoch\"")).count(), "epoch records");
    assertTrue(
        lines.stream().anyMatch(l -> l.contains("\"kind\":\"train\"")), "train records: " + lines);
    assertTrue(Files.size(run.resolve(RunFolder.PLOT)) > 1000, "curves.png is drawn");
    byte[] png = Files.readAllBytes(run.resolve(RunFolder.PLOT));
    assertEquals((byte) 0x89, png[0], "PNG signature");
    assertEquals('P', png[1], "PNG signature");

    List<Event> events = new ArrayList<>();
    try (Stream<Path> files = Files.list(run.resolve(RunFolder.TENSORBOARD))) {
      for (Path file : files.toList()) {
        events.addAll(EventFiles.read(file));
      }
    }
    assertTrue(events.get(0).hasFileVersion(), "the first event names the file version");
    List<String> tags = new ArrayList<>();
    for (Event event : events) {
      event.getSummary().getValueList().forEach(v -> tags.add(v.getTag()));
    }
    assertTrue(tags.contains("train/loss"), "train/loss in " + tags);
    assertEquals(
        2, tags.stream().filter("validation/perplexity"::equals).count(), "one per epoch: " + tags);
    List<Path> kept = new RunFolder(run).checkpoints();
    assertTrue(kept.size() <= 2, "keep_checkpoints 1 keeps the newest and the best: " + kept);
    assertTrue(kept.contains(outcomeBest), "the best checkpoint is kept: " + kept);
  }

  @Test
  void resume_changedModelFailsNamingField() {
    Path run = folder.resolve("changed");
    try (LanguageModelTask lm = LanguageModelTask.create(MODEL, TRAINING, vocabulary)) {
      lm.fit(train[0], train[1], validation[0], validation[1], options(run));
    }
    ModelConfig other = MODEL.toBuilder().setDropout(0.3f).setKernel(RecurrentKernel.FUSED).build();

    IllegalArgumentException error;
    try (LanguageModelTask lm = LanguageModelTask.create(other, TRAINING, vocabulary)) {
      error =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  lm.fit(
                      train[0],
                      train[1],
                      validation[0],
                      validation[1],
                      options(run).withResume(true)));
    }

    assertTrue(
        error.getMessage().contains("dropout 0.1 in the checkpoint, 0.3 now"), error.getMessage());
    assertFalse(error.getMessage().contains("kernel"), "the kernel may change: " + error);
  }

  private static RunOptions options(Path run) {
    return RunOptions.fromConfig(run, TRAINING).quiet().withRestoreBest(false);
  }

  private static void copy(Path source, Path target) throws Exception {
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(source)) {
      for (Path file : files.toList()) {
        Files.copy(file, target.resolve(file.getFileName()));
      }
    }
  }

  @Test
  void checkpointsRestore_unknownFolderNamesIt() {
    var error =
        assertThrows(
            IllegalArgumentException.class,
            () -> Checkpoints.requireCheckpoint(folder.resolve("missing")),
            "missing checkpoint");
    assertTrue(error.getMessage().contains("missing"), error.getMessage());
  }
}
