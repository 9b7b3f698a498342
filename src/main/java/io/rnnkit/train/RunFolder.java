package io.rnnkit.train;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.protobuf.TextFormat;
import io.rnnkit.config.ModelConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Session;

/**
 * Layout of a training run folder:
 *
 * <pre>
 * checkpoints/ckpt-STEP/   variables.index, variables.data-*, trainer_state.json and, for a
 *                          language model checkpointed inside an epoch, carried_state.bin
 * metrics.jsonl            one JSON object per log interval and per epoch
 * tensorboard/             TensorFlow event files
 * curves.png               training and validation curves, drawn at the end
 * </pre>
 *
 * <p>Each checkpoint folder is written to a temporary name and renamed, so a killed run leaves only
 * complete checkpoints.
 */
public final class RunFolder {

  private static final Logger log = LoggerFactory.getLogger(RunFolder.class);

  public static final String CHECKPOINTS = "checkpoints";
  public static final String STATE = "trainer_state.json";
  public static final String CARRIED_STATE = "carried_state.bin";
  public static final String METRICS = "metrics.jsonl";
  public static final String TENSORBOARD = "tensorboard";
  public static final String PLOT = "curves.png";

  private static final Pattern CHECKPOINT_NAME = Pattern.compile("ckpt-(\\d+)");
  static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private final Path root;

  public RunFolder(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  public Path metricsFile() {
    return root.resolve(METRICS);
  }

  public Path tensorBoardFolder() {
    return root.resolve(TENSORBOARD);
  }

  public Path plotFile() {
    return root.resolve(PLOT);
  }

  /** Returns the folder of the checkpoint written at {@code step}. */
  public Path checkpoint(long step) {
    return root.resolve(CHECKPOINTS).resolve("ckpt-" + step);
  }

  /** Returns the complete checkpoints, oldest step first. */
  public List<Path> checkpoints() {
    Path folder = root.resolve(CHECKPOINTS);
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(folder)) {
      return children
          .filter(p -> CHECKPOINT_NAME.matcher(p.getFileName().toString()).matches())
          .filter(p -> Files.isRegularFile(p.resolve(STATE)))
          .sorted(Comparator.comparingLong(RunFolder::stepOf))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("failed to list checkpoints in " + folder, e);
    }
  }

  /** Returns the checkpoint with the highest step, if any. */
  public Optional<Path> latestCheckpoint() {
    List<Path> all = checkpoints();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** Returns the step encoded in a checkpoint folder's name. */
  public static long stepOf(Path checkpoint) {
    Matcher matcher = CHECKPOINT_NAME.matcher(checkpoint.getFileName().toString());
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          checkpoint + " is not a checkpoint folder; its name must be ckpt-STEP");
    }
    return Long.parseLong(matcher.group(1));
  }

  /**
   * Writes the session's variables, {@code state}, the model configuration and the carried LM state
   * (where not null) at the state's step.
   */
  public Path save(
      Session session, TrainerState state, float[][][] carriedState, ModelConfig model) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(
        ModelFiles.CONFIG,
        TextFormat.printer().printToString(model).getBytes(StandardCharsets.UTF_8));
    try {
      files.put(STATE, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
    } catch (IOException e) {
      throw new UncheckedIOException("failed to encode the trainer state", e);
    }
    if (carriedState != null) {
      files.put(CARRIED_STATE, encode(carriedState));
    }
    Path target = checkpoint(state.step());
    Checkpoints.save(session, target, files);
    return target;
  }

  /**
   * Returns the model configuration saved with checkpoint folder {@code checkpoint}, or empty for a
   * checkpoint written without one.
   */
  public static Optional<ModelConfig> readModelConfig(Path checkpoint) {
    if (!Files.isRegularFile(checkpoint.resolve(ModelFiles.CONFIG))) {
      return Optional.empty();
    }
    return Optional.of(ModelFiles.readConfig(checkpoint));
  }

  /** Reads the trainer state of checkpoint folder {@code checkpoint}. */
  public static TrainerState readState(Path checkpoint) {
    Path file = checkpoint.resolve(STATE);
    try {
      return JSON.readValue(file.toFile(), TrainerState.class);
    } catch (IOException e) {
      throw new UncheckedIOException("failed to read " + file, e);
    }
  }

  /** Reads the carried LM state of {@code checkpoint}, or null when it has none. */
  public static float[][][] readCarriedState(Path checkpoint) {
    Path file = checkpoint.resolve(CARRIED_STATE);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try (DataInputStream in =
        new DataInputStream(new ByteArrayInputStream(Files.readAllBytes(file)))) {
      float[][][] state = new float[in.readInt()][in.readInt()][in.readInt()];
      for (float[][] part : state) {
        for (float[] lane : part) {
          for (int i = 0; i < lane.length; i++) {
            lane[i] = in.readFloat();
          }
        }
      }
      return state;
    } catch (IOException e) {
      throw new UncheckedIOException("failed to read " + file, e);
    }
  }

  private static byte[] encode(float[][][] state) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(state.length);
      out.writeInt(state[0].length);
      out.writeInt(state[0][0].length);
      for (float[][] part : state) {
        for (float[] lane : part) {
          for (float value : lane) {
            out.writeFloat(value);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("failed to encode the carried state", e);
    }
    return bytes.toByteArray();
  }

  /** Deletes all but the {@code keepLast} newest checkpoints and the one at {@code bestStep}. */
  public void prune(int keepLast, long bestStep) {
    List<Path> all = new ArrayList<>(checkpoints());
    for (int i = 0; i < all.size() - keepLast; i++) {
      Path checkpoint = all.get(i);
      if (stepOf(checkpoint) == bestStep) {
        continue;
      }
      try {
        Checkpoints.deleteRecursively(checkpoint);
        log.debug("Deleted old checkpoint {}", checkpoint);
      } catch (IOException e) {
        log.warn("Failed to delete old checkpoint {}: {}", checkpoint, e.toString());
      }
    }
  }
}
