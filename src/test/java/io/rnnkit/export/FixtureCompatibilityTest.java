package io.rnnkit.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnkit.config.TaskKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Loads the committed fixture SavedModels and checks that this code still gives their stored
 * outputs, so a change that breaks models exported by an earlier version fails here. Regenerate the
 * fixtures with {@code scripts/make-fixtures.sh} only when such a break is intended.
 */
class FixtureCompatibilityTest {

  private static final Path FIXTURES = Path.of("savedmodels/fixtures");

  @ParameterizedTest
  @EnumSource(
      value = TaskKind.class,
      names = {"CLASSIFIER", "TAGGER", "LANGUAGE_MODEL"})
  void fixture_reproducesStoredOutputs(TaskKind task) throws IOException {
    Path export = FIXTURES.resolve(FixtureGenerator.fixtureName(task)).resolve("1");
    Path expectedFile = export.resolve("expected.json");
    assertTrue(Files.isRegularFile(expectedFile), "fixture " + expectedFile + " exists");
    JsonNode expected = new ObjectMapper().readTree(expectedFile.toFile());
    try (ServingModel model = ServingModel.load(export)) {
      for (JsonNode call : expected.get("calls")) {
        String key = call.get("signature").asText();
        @SuppressWarnings("unchecked")
        Map<String, Object> inputs = new ObjectMapper().convertValue(call.get("inputs"), Map.class);
        try (FixtureGenerator.FixtureInputs fed =
                FixtureGenerator.FixtureInputs.of(model, key, inputs);
            ServingModel.Outputs outputs = model.run(key, fed.tensors())) {
          var fields = call.get("outputs").fields();
          while (fields.hasNext()) {
            var output = fields.next();
            compare(
                task + " " + key + " " + output.getKey(),
                output.getValue(),
                FixtureGenerator.describe(outputs.get(output.getKey())));
          }
        }
      }
    }
  }

  private static void compare(String where, JsonNode expected, Map<String, Object> actual) {
    long[] shape = (long[]) actual.get("shape");
    JsonNode expectedShape = expected.get("shape");
    assertEquals(expectedShape.size(), shape.length, where + " rank");
    for (int d = 0; d < shape.length; d++) {
      assertEquals(expectedShape.get(d).asLong(), shape[d], where + " dimension " + d);
    }
    List<?> values = (List<?>) actual.get("values");
    JsonNode expectedValues = expected.get("values");
    assertEquals(expectedValues.size(), values.size(), where + " value count");
    for (int i = 0; i < values.size(); i++) {
      Object value = values.get(i);
      if (value instanceof Float number) {
        assertEquals(expectedValues.get(i).asDouble(), number, 1e-6, where + " value " + i);
      } else if (value instanceof Long number) {
        assertEquals(expectedValues.get(i).asLong(), number, where + " value " + i);
      } else {
        assertEquals(expectedValues.get(i).asText(), value, where + " value " + i);
      }
    }
  }
}
