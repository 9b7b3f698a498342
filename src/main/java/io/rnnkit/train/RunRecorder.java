package io.rnnkit.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a run's progress: the progress display, {@code metrics.jsonl} (one {@code "train"} record
 * per log interval, one {@code "epoch"} record per epoch), TensorBoard scalars and, at the end, the
 * plot.
 */
final class RunRecorder implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RunRecorder.class);

  private final RunFolder folder;
  private final RunOptions options;
  private final BufferedWriter metrics;
  private final TensorBoardWriter tensorBoard;
  private final ProgressDisplay progress;
  private final long intervalNanos;
  private long lastRecord;
  private double intervalLossSum;
  private int intervalCount;

  private RunRecorder(RunFolder folder, RunOptions options) throws IOException {
    this.folder = folder;
    this.options = options;
    Files.createDirectories(folder.root());
    this.metrics =
        Files.newBufferedWriter(
            folder.metricsFile(),
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
    this.tensorBoard =
        options.tensorBoard() ? new TensorBoardWriter(folder.tensorBoardFolder()) : null;
    boolean bar =
        options.progress() == RunOptions.ProgressMode.BAR
            || (options.progress() == RunOptions.ProgressMode.AUTO && System.console() != null);
    this.progress = new ProgressDisplay(bar, options.logIntervalSeconds(), System.err);
    this.intervalNanos = (long) (options.logIntervalSeconds() * 1e9);
  }

  /**
   * Opens the recorder of a run that starts at {@code step}. Records of later steps, which a killed
   * process wrote after its last checkpoint, are dropped from {@code metrics.jsonl} first, because
   * the resumed run trains those steps again and records them anew. The TensorBoard event file gets
   * a restart mark at {@code step + 1}, so TensorBoard drops those steps from the older file.
   */
  static RunRecorder open(RunFolder folder, RunOptions options, long step) {
    try {
      dropRecordsAfter(folder.metricsFile(), step);
      RunRecorder recorder = new RunRecorder(folder, options);
      if (step > 0 && recorder.tensorBoard != null) {
        recorder.tensorBoard.restartAt(step + 1);
      }
      return recorder;
    } catch (IOException e) {
      throw new UncheckedIOException("failed to open the metrics file in " + folder.root(), e);
    }
  }

  /**
   * Rewrites {@code file} without the records whose step is above {@code step}, and without lines
   * that are not a JSON object with a step, such as one cut short when a process was killed.
   */
  static void dropRecordsAfter(Path file, long step) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    List<String> kept = new ArrayList<>();
    int dropped = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (recordStep(line) <= step) {
        kept.add(line);
      } else {
        dropped++;
      }
    }
    if (dropped == 0) {
      return;
    }
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(temporary, kept, StandardCharsets.UTF_8);
    Files.move(
        temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    log.info("Dropped {} records after step {} from {}", dropped, step, file);
  }

  /** Returns the step of a metrics record, or {@link Long#MAX_VALUE} for a malformed line. */
  private static long recordStep(String line) {
    try {
      JsonNode node = RunFolder.JSON.readTree(line);
      JsonNode step = node == null ? null : node.get("step");
      return step != null && step.canConvertToLong() ? step.asLong() : Long.MAX_VALUE;
    } catch (JsonProcessingException e) {
      return Long.MAX_VALUE;
    }
  }

  void startEpoch(int epoch, int size, int position) {
    progress.startEpoch();
    lastRecord = System.nanoTime();
    intervalLossSum = 0;
    intervalCount = 0;
  }

  void step(
      int epoch,
      long step,
      int position,
      int size,
      double loss,
      double meanLoss,
      double learningRate,
      double tokensPerSecond,
      double secondsLeft) {
    if (Double.isFinite(loss)) {
      intervalLossSum += loss;
      intervalCount++;
    }
    progress.update(epoch, step, position, size, meanLoss, tokensPerSecond, secondsLeft);
    long now = System.nanoTime();
    if (now - lastRecord < intervalNanos || intervalCount == 0) {
      return;
    }
    lastRecord = now;
    double intervalLoss = intervalLossSum / intervalCount;
    intervalLossSum = 0;
    intervalCount = 0;
    ObjectNode record = RunFolder.JSON.createObjectNode();
    record.put("kind", "train");
    record.put("epoch", epoch + 1);
    record.put("step", step);
    record.put("loss", intervalLoss);
    record.put("epoch_loss", meanLoss);
    record.put("learning_rate", learningRate);
    record.put("tokens_per_second", tokensPerSecond);
    write(record);
    if (tensorBoard != null) {
      tensorBoard.scalar("train/loss", step, intervalLoss);
      tensorBoard.scalar("train/learning_rate", step, learningRate);
      tensorBoard.scalar("train/tokens_per_second", step, tokensPerSecond);
    }
  }

  void endProgress() {
    progress.endEpoch();
  }

  void epoch(TrainingRun.EpochResult result) {
    TrainingRun.Validation validation = result.validation();
    ObjectNode record = RunFolder.JSON.createObjectNode();
    record.put("kind", "epoch");
    record.put("epoch", result.epoch() + 1);
    record.put("step", result.step());
    record.put("train_loss", result.trainLoss());
    record.put("tokens_per_second", result.tokensPerSecond());
    record.put("seconds", result.seconds());
    record.put("validation_metric", validation.metric());
    record.put("validation", validation.value());
    for (Map.Entry<String, Double> other : validation.others().entrySet()) {
      record.put("validation_" + other.getKey(), other.getValue());
    }
    write(record);
    if (tensorBoard != null) {
      tensorBoard.scalar("epoch/train_loss", result.step(), result.trainLoss());
      tensorBoard.scalar("validation/" + validation.metric(), result.step(), validation.value());
      for (Map.Entry<String, Double> other : validation.others().entrySet()) {
        tensorBoard.scalar("validation/" + other.getKey(), result.step(), other.getValue());
      }
      tensorBoard.flush();
    }
  }

  private void write(ObjectNode record) {
    try {
      metrics.write(RunFolder.JSON.writeValueAsString(record));
      metrics.newLine();
      metrics.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("failed to write " + folder.metricsFile(), e);
    }
  }

  /** Draws the plot of the whole run. */
  void finish() {
    if (options.plot()) {
      CurvePlot.draw(folder.metricsFile(), folder.plotFile());
      log.info("Training curves drawn in {}", folder.plotFile());
    }
  }

  @Override
  public void close() {
    try {
      metrics.close();
    } catch (IOException e) {
      log.warn("Failed to close {}: {}", folder.metricsFile(), e.toString());
    }
    if (tensorBoard != null) {
      tensorBoard.close();
    }
  }
}
