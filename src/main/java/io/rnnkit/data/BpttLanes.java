package io.rnnkit.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts a token-id stream into parallel lanes and truncated-BPTT windows for language models.
 *
 * <p>With {@code n} tokens and {@code B} lanes, each lane is a contiguous run of {@code L = n / B}
 * tokens: lane {@code b} is {@code tokens[b*L .. (b+1)*L - 1]}, and the last {@code n - B*L} tokens
 * are dropped. Within a lane the target of each input is the next token, so a lane gives {@code L -
 * 1} input/target pairs and its last token is only a target. The pair that would link the end of
 * one lane to the start of the next is not used.
 *
 * <p>{@link #windows(int)} cuts the pairs into windows of {@code T} steps. Window {@code w} covers
 * lane steps {@code w*T} up to {@code min((w+1)*T, L-1)}, in all lanes at once, so lane {@code b}
 * of window {@code w+1} continues lane {@code b} of window {@code w} and the model should carry its
 * recurrent state across windows.
 *
 * <p>For tokens {@code 0..9}, {@code B = 3}, {@code T = 2}: lanes {@code [0 1 2] [3 4 5] [6 7 8]},
 * token 9 dropped, one window with inputs {@code [[0,1],[3,4],[6,7]]} and targets {@code
 * [[1,2],[4,5],[7,8]]}.
 */
public final class BpttLanes {
  private static final Logger LOG = LoggerFactory.getLogger(BpttLanes.class);

  /**
   * One truncated-BPTT window over all lanes.
   *
   * @param inputs input ids, {@code [B][T]}; steps past {@code lengths[b]} are {@link
   *     Vocabulary#PAD_ID}
   * @param targets target ids (the next token of each input), {@code [B][T]}, padded the same way
   * @param lengths number of real steps per lane: {@code T}, except in the final window when {@code
   *     L - 1} is not a multiple of {@code T}. All lanes have the same length.
   * @param resetState per lane, whether the recurrent state must be zeroed before this window: true
   *     in the first window, and true where a document starts at the window's first input
   * @param documentStarts {@code [B][T]}: true at step {@code t > 0} of lane {@code b} where a
   *     document starts at that input, inside the window. A language model zeroes the lane's state
   *     before that step, so no state crosses from one document into the next.
   */
  public record BpttWindow(
      int[][] inputs,
      int[][] targets,
      int[] lengths,
      boolean[] resetState,
      boolean[][] documentStarts) {}

  private final int[] tokens;
  private final int laneCount;
  private final int laneLength;
  private final boolean[] documentStart;

  /**
   * Creates lanes over {@code tokens}.
   *
   * @param tokens token ids of the whole stream; not copied, so do not change it afterwards
   * @param documentStarts stream offsets where a document begins, strictly ascending, each in
   *     {@code [0, tokens.length)}; null or empty when the stream has no document structure
   * @param laneCount number of lanes {@code B}, the batch size of every window
   * @throws IllegalArgumentException if {@code laneCount < 1}, a lane would have fewer than 2
   *     tokens, or the document starts are not ascending or out of range
   */
  public BpttLanes(int[] tokens, int[] documentStarts, int laneCount) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    if (laneCount < 1) {
      throw new IllegalArgumentException("laneCount must be at least 1, got " + laneCount);
    }
    this.laneCount = laneCount;
    this.laneLength = tokens.length / laneCount;
    if (laneLength < 2) {
      throw new IllegalArgumentException(
          tokens.length
              + " tokens are too few for "
              + laneCount
              + " lanes, one per row of a batch. Each lane needs at least 2 tokens, so use a batch"
              + " size of at most "
              + tokens.length / 2
              + " or a longer text");
    }

    this.documentStart = new boolean[tokens.length];
    int[] starts = documentStarts == null ? new int[0] : documentStarts;
    for (int i = 0; i < starts.length; i++) {
      int start = starts[i];
      if (start < 0 || start >= tokens.length || (i > 0 && start <= starts[i - 1])) {
        throw new IllegalArgumentException(
            "Document starts must be strictly ascending offsets in [0, "
                + tokens.length
                + "), got "
                + start
                + " at index "
                + i);
      }
      documentStart[start] = true;
    }

    int dropped = tokens.length - laneCount * laneLength;
    if (dropped > 0) {
      LOG.debug(
          "Dropped the last {} tokens so that {} lanes have equal length", dropped, laneCount);
    }
  }

  /** Returns the number of lanes {@code B}. */
  public int laneCount() {
    return laneCount;
  }

  /** Returns the number of tokens per lane {@code L}; each lane gives {@code L - 1} steps. */
  public int laneLength() {
    return laneLength;
  }

  /** Returns the number of windows of {@code steps} steps: {@code ceil((L - 1) / steps)}. */
  public int windowCount(int steps) {
    checkSteps(steps);
    return (laneLength - 1 + steps - 1) / steps;
  }

  private static void checkSteps(int steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be at least 1, got " + steps);
    }
  }

  /**
   * Returns all windows of {@code steps} steps, in order. The final window is kept even when it is
   * shorter than {@code steps}; its {@code lengths} give the true length.
   */
  public List<BpttWindow> windows(int steps) {
    int count = windowCount(steps);
    int pairsPerLane = laneLength - 1;
    List<BpttWindow> windows = new ArrayList<>(count);
    int insideWindowStarts = 0;
    for (int w = 0; w < count; w++) {
      int first = w * steps;
      int length = Math.min(steps, pairsPerLane - first);
      int[][] inputs = new int[laneCount][steps];
      int[][] targets = new int[laneCount][steps];
      int[] lengths = new int[laneCount];
      boolean[] reset = new boolean[laneCount];
      boolean[][] starts = new boolean[laneCount][steps];
      for (int b = 0; b < laneCount; b++) {
        int offset = b * laneLength + first;
        System.arraycopy(tokens, offset, inputs[b], 0, length);
        System.arraycopy(tokens, offset + 1, targets[b], 0, length);
        lengths[b] = length;
        reset[b] = w == 0 || documentStart[offset];
        for (int t = 1; t < length; t++) {
          if (documentStart[offset + t]) {
            starts[b][t] = true;
            insideWindowStarts++;
          }
        }
      }
      windows.add(new BpttWindow(inputs, targets, lengths, reset, starts));
    }
    LOG.debug(
        "{} windows of {} steps over {} lanes; {} document starts inside a window",
        count,
        steps,
        laneCount,
        insideWindowStarts);
    return windows;
  }

  @Override
  public String toString() {
    return "BpttLanes[lanes="
        + laneCount
        + ", laneLength="
        + laneLength
        + ", tokens="
        + tokens.length
        + "]";
  }
}
