package io.rnnkit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rnnkit.data.BpttLanes.BpttWindow;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BpttLanesTest {

  private static int[] range(int n) {
    return IntStream.range(0, n).toArray();
  }

  @Test
  void tenTokensThreeLanesTwoSteps() {
    BpttLanes lanes = new BpttLanes(range(10), null, 3);

    List<BpttWindow> windows = lanes.windows(2);

    assertEquals(3, lanes.laneLength(), "lane length = 10 / 3");
    assertEquals(1, windows.size(), "each lane has 2 pairs, so one window of 2 steps");
    BpttWindow window = windows.get(0);
    assertArrayEquals(new int[][] {{0, 1}, {3, 4}, {6, 7}}, window.inputs(), "inputs per lane");
    assertArrayEquals(
        new int[][] {{1, 2}, {4, 5}, {7, 8}},
        window.targets(),
        "targets are inputs shifted by one");
    assertArrayEquals(new int[] {2, 2, 2}, window.lengths(), "full window lengths");
    assertArrayEquals(
        new boolean[] {true, true, true}, window.resetState(), "first window resets every lane");
  }

  @Test
  void finalShortWindowKeptAndPadded() {
    // 11 tokens, 1 lane: 10 pairs, windows of 4, 4 and 2 steps.
    BpttLanes lanes = new BpttLanes(range(11), null, 1);

    List<BpttWindow> windows = lanes.windows(4);

    assertEquals(3, windows.size(), "ceil(10 / 4) windows");
    BpttWindow last = windows.get(2);
    assertArrayEquals(new int[] {2}, last.lengths(), "true length of the final window");
    assertArrayEquals(new int[][] {{8, 9, 0, 0}}, last.inputs(), "final inputs padded with 0");
    assertArrayEquals(new int[][] {{9, 10, 0, 0}}, last.targets(), "final targets padded with 0");
    assertArrayEquals(new int[] {4}, windows.get(1).lengths(), "middle window is full");
  }

  @Test
  void windowsContinueLanesAcrossCalls() {
    BpttLanes lanes = new BpttLanes(range(20), null, 2);

    List<BpttWindow> windows = lanes.windows(3);

    // Lanes are [0..9] and [10..19], 9 pairs each, so 3 windows of 3 steps.
    assertEquals(3, windows.size(), "window count");
    assertArrayEquals(
        new int[][] {{3, 4, 5}, {13, 14, 15}}, windows.get(1).inputs(), "second window inputs");
    assertArrayEquals(
        new int[][] {{7, 8, 9}, {17, 18, 19}}, windows.get(2).targets(), "last window targets");
    assertFalse(windows.get(1).resetState()[0], "no reset without a document start");
  }

  @Test
  void documentStartAtWindowStartResets() {
    // One lane of 13 tokens, windows of 4 steps start at offsets 0, 4 and 8.
    int[] documentStarts = {0, 4, 10};
    BpttLanes lanes = new BpttLanes(range(13), documentStarts, 1);

    List<BpttWindow> windows = lanes.windows(4);

    assertEquals(3, windows.size(), "12 pairs in 3 windows");
    assertTrue(windows.get(0).resetState()[0], "first window resets");
    assertTrue(windows.get(1).resetState()[0], "document starts at offset 4, the window start");
    assertFalse(
        windows.get(2).resetState()[0], "document at offset 10 starts mid-window: no reset");
    assertArrayEquals(
        new boolean[] {false, false, true, false},
        windows.get(2).documentStarts()[0],
        "window 3 covers offsets 8 to 11, so the document at offset 10 is marked at step 2");
  }

  @Test
  void tooFewTokensForLanesRejected() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> new BpttLanes(range(5), null, 3));
    assertTrue(error.getMessage().contains("5 tokens"), error.getMessage());
    assertTrue(error.getMessage().contains("batch size of at most 2"), error.getMessage());
  }

  @Test
  void unsortedDocumentStartsRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new BpttLanes(range(10), new int[] {5, 2}, 1),
        "document starts must ascend");
  }
}
