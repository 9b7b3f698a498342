package io.rnnkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Checks that the main packages depend on each other without cycles. */
class PackageDependenciesTest {

  private static final Path SOURCES = Path.of("src/main/java/io/rnnkit");
  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?io\\.rnnkit\\.(\\w+)\\.", Pattern.MULTILINE);

  /** Returns, for each package under io.rnnkit, the other packages that its sources import. */
  static Map<String, Set<String>> dependencies() throws IOException {
    Map<String, Set<String>> dependencies = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Path relative = SOURCES.relativize(file);
        if (relative.getNameCount() < 2) {
          continue;
        }
        String from = relative.getName(0).toString();
        Set<String> targets = dependencies.computeIfAbsent(from, k -> new TreeSet<>());
        Matcher matcher = IMPORT.matcher(Files.readString(file));
        while (matcher.find()) {
          if (!matcher.group(1).equals(from)) {
            targets.add(matcher.group(1));
          }
        }
      }
    }
    return dependencies;
  }

  /** Returns the packages reachable from {@code start} through imports. */
  static Set<String> reachable(Map<String, Set<String>> dependencies, String start) {
    Set<String> seen = new TreeSet<>();
    Deque<String> pending = new ArrayDeque<>(dependencies.getOrDefault(start, Set.of()));
    while (!pending.isEmpty()) {
      String next = pending.pop();
      if (seen.add(next)) {
        pending.addAll(dependencies.getOrDefault(next, Set.of()));
      }
    }
    return seen;
  }

  @Test
  void packagesHaveNoImportCycle() throws IOException {
    Map<String, Set<String>> dependencies = dependencies();
    List<String> cycles = new ArrayList<>();
    for (String from : dependencies.keySet()) {
      for (String to : dependencies.get(from)) {
        if (reachable(dependencies, to).contains(from)) {
          cycles.add(from + " -> " + to);
        }
      }
    }

    assertEquals(List.of(), cycles, "imports that close a cycle between packages");
  }

  @Test
  void scanSeesKnownDependencies() throws IOException {
    Map<String, Set<String>> dependencies = dependencies();

    assertTrue(dependencies.get("cli").contains("task"), dependencies.toString());
    assertTrue(dependencies.get("task").contains("train"), dependencies.toString());
    assertTrue(dependencies.get("data").isEmpty(), dependencies.toString());
  }
}
