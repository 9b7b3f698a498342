package io.rnnkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.SessionLog;

class TensorBoardWriterTest {

  @TempDir Path folder;

  @Test
  void restartAt_writesSessionStartAfterScalars() throws Exception {
    try (TensorBoardWriter writer = new TensorBoardWriter(folder)) {
      writer.scalar("train/loss", 1, 2.5);
      writer.scalar("train/loss", 2, 2.0);
      writer.restartAt(2);
      writer.scalar("train/loss", 2, 1.9);
      writer.flush();
    }
    List<Event> events = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.toList()) {
        events.addAll(EventFiles.read(file));
      }
    }
    List<String> kinds = new ArrayList<>();
    for (Event event : events.subList(1, events.size())) {
      String kind =
          event.hasSessionLog()
              ? "start " + (event.getSessionLog().getStatus() == SessionLog.SessionStatus.START)
              : "scalar " + event.getSummary().getValue(0).getSimpleValue();
      kinds.add(kind + " @" + event.getStep());
    }
    assertEquals(
        List.of("scalar 2.5 @1", "scalar 2.0 @2", "start true @2", "scalar 1.9 @2"),
        kinds,
        "events after the file version, in order");
  }
}
