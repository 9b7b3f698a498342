package io.rnnkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunRecorderTest {

  @TempDir Path folder;

  @Test
  void dropRecordsAfter_keepsStepsUpToResume() throws Exception {
    Path file = folder.resolve("metrics.jsonl");
    List<String> records =
        List.of(
            "{\"kind\":\"train\",\"epoch\":1,\"step\":10,\"loss\":2.5}",
            "{\"kind\":\"epoch\",\"epoch\":1,\"step\":20,\"train_loss\":2.0}",
            "{\"kind\":\"train\",\"epoch\":2,\"step\":30,\"loss\":1.5}",
            "{\"kind\":\"train\",\"epo");
    Files.write(file, records);
    RunRecorder.dropRecordsAfter(file, 20);
    assertEquals(
        records.subList(0, 2),
        Files.readAllLines(file),
        "records after step 20 and the line cut short are dropped");
    assertFalse(Files.exists(folder.resolve("metrics.jsonl.tmp")), "no temporary file left");
  }

  @Test
  void dropRecordsAfter_missingFileIsNoOp() throws Exception {
    Path file = folder.resolve("metrics.jsonl");
    RunRecorder.dropRecordsAfter(file, 5);
    assertFalse(Files.exists(file), "no file is created");
  }
}
